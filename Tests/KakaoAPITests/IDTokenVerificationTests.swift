import Foundation
import KakaoAPI
import KakaoEmulator
import Testing

@Suite("ID-token verification against the emulator's JWKS")
struct IDTokenVerificationTests {
    static func idToken(_ h: Harness, nonce: String? = "nonce-1", clientID: String? = nil) async throws -> String {
        let code = try h.emulator.mintCode(clientID: clientID, userID: 3_141_592_653, scope: "openid profile_nickname", nonce: nonce)
        return try #require(try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil).idToken)
    }

    @Test func nonceMustMatch() async throws {
        try await Harness.run { h in
            let token = try await Self.idToken(h)
            #expect(try await h.client.verifyIDToken(token, nonce: "nonce-1").nonce == "nonce-1")
            let error = try #require(await h.expectError { try await h.client.verifyIDToken(token, nonce: "another") })
            #expect(error.idTokenCheck == .nonce)
            #expect(error.problem == .idTokenInvalid)
            #expect(error.errorClass == .terminal)
            let missing = try await Self.idToken(h, nonce: nil)
            #expect(await h.expectError { try await h.client.verifyIDToken(missing, nonce: "nonce-1") }?.idTokenCheck == .nonce)
        }
    }

    @Test func concurrentFirstVerificationsShareOneFetchAndAllSucceed() async throws {
        try await Harness.run { h in
            var tokens: [String] = []
            for index in 0..<64 {
                let code = try h.emulator.mintCode(userID: Int64(100 + index), scope: "openid", nonce: "nonce-\(index)")
                tokens.append(
                    try #require(try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil).idToken)
                )
            }
            try await withThrowingTaskGroup(of: String?.self) { group in
                for (index, token) in tokens.enumerated() {
                    group.addTask { try await h.client.verifyIDToken(token, nonce: "nonce-\(index)").nonce }
                }
                var verified = 0
                for try await nonce in group where nonce != nil { verified += 1 }
                #expect(verified == tokens.count, "every caller waiting for the first key fetch sees its keys")
            }
        }
    }

    @Test func issuerMustMatch() async throws {
        try await Harness.run(issuer: "https://kauth.kakao.com") { h in
            let token = try await Self.idToken(h)
            #expect(await h.expectError { try await h.client.verifyIDToken(token, nonce: nil) }?.idTokenCheck == .issuer)
        }
    }

    @Test func audienceMustBeOurKey() async throws {
        var configuration = KakaoEmulatorConfiguration()
        configuration.apps.append(.init(appID: 100_003, restAPIKey: "other-app-key", nativeAppKey: nil, adminKey: nil))
        try await Harness.run(emulator: configuration) { h in
            let code = try h.emulator.mintCode(clientID: "other-app-key", userID: 1, scope: "openid")
            // The other app's token, handed to a client of the first app.
            let other = try KakaoClientConfiguration(restAPIKey: "other-app-key", authURL: h.baseURL, apiURL: h.baseURL)
            let token = try await Harness.withClient(other) { client in
                try #require(try await client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil).idToken)
            }
            #expect(await h.expectError { try await h.client.verifyIDToken(token, nonce: nil) }?.idTokenCheck == .audience)
        }
    }

    @Test func expiredTokenIsRejected() async throws {
        try await Harness.run { h in
            h.emulator.advanceClock(bySeconds: -2 * 86_400)
            let token = try await Self.idToken(h)
            #expect(await h.expectError { try await h.client.verifyIDToken(token, nonce: "nonce-1") }?.idTokenCheck == .expired)
        }
    }

    @Test func tamperedTokensAreRejected() async throws {
        try await Harness.run { h in
            let token = try await Self.idToken(h)
            let parts = token.split(separator: ".").map(String.init)
            let payload = #"{"iss":"\#(h.baseURL)","aud":"emulator-rest-api-key","sub":"1","exp":9999999999,"nonce":"nonce-1"}"#
            let forgedPayload = Data(payload.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let forged = [parts[0], forgedPayload, parts[2]].joined(separator: ".")
            #expect(await h.expectError { try await h.client.verifyIDToken(forged, nonce: nil) }?.idTokenCheck == .signature)

            let noneHeader = Data(#"{"alg":"none","kid":"x"}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            let unsigned = [noneHeader, forgedPayload, ""].joined(separator: ".")
            #expect(await h.expectError { try await h.client.verifyIDToken(unsigned, nonce: nil) }?.idTokenCheck == .algorithm)

            let hs256 = Data(#"{"alg":"HS256","kid":"x"}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            #expect(
                await h.expectError {
                    try await h.client.verifyIDToken([hs256, forgedPayload, parts[2]].joined(separator: "."), nonce: nil)
                }?.idTokenCheck == .algorithm
            )

            for garbage in ["", "a.b", "not.a.jwt", "....", "\u{0}.\u{1}.\u{2}"] {
                #expect(await h.expectError { try await h.client.verifyIDToken(garbage, nonce: nil) }?.idTokenCheck == .malformed)
            }
        }
    }

    @Test func unknownKidRightAfterAFetchIsRefused() async throws {
        try await Harness.run { h in
            let patient = try KakaoClientConfiguration(
                restAPIKey: "emulator-rest-api-key",
                authURL: h.baseURL,
                apiURL: h.baseURL,
                jwksMinimumRefetchInterval: .seconds(600)
            )
            try await Harness.withClient(patient) { client in
                _ = try await client.verifyIDToken(try await Self.idToken(h), nonce: "nonce-1")
                try h.emulator.rotateSigningKey()
                // The refetch is rate limited: a new kid right after the first fetch is refused.
                let rotated = try await Self.idToken(h)
                #expect(await h.expectError { try await client.verifyIDToken(rotated, nonce: "nonce-1") }?.idTokenCheck == .unknownKey)
            }
        }
    }

    @Test func unknownKidIsFetchedWhenTheIntervalAllows() async throws {
        try await Harness.run { h in
            let configuration = try KakaoClientConfiguration(
                restAPIKey: "emulator-rest-api-key",
                authURL: h.baseURL,
                apiURL: h.baseURL,
                jwksMinimumRefetchInterval: .zero
            )
            try await Harness.withClient(configuration) { client in
                _ = try await client.verifyIDToken(try await Self.idToken(h), nonce: "nonce-1")
                try h.emulator.rotateSigningKey()
                let claims = try await client.verifyIDToken(try await Self.idToken(h), nonce: "nonce-1")
                #expect(claims.userID == 3_141_592_653)
            }
        }
    }
}
