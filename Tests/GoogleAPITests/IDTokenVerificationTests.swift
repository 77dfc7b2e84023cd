import Foundation
import GoogleAPI
import GoogleEmulator
import InMemoryLogging
import Logging
import Testing

@Suite("Google ID-token verification against the emulator's JWKS")
struct IDTokenVerificationTests {
    static func idToken(_ h: Harness, nonce: String? = "nonce-1", user: String = Harness.alice) async throws -> String {
        try #require(try await h.tokens(user: user, nonce: nonce).idToken)
    }

    static func check(_ h: Harness, _ token: String, nonce: String? = "nonce-1", client: GoogleClient? = nil) async -> GoogleIDTokenCheck? {
        let error = await h.expectError { try await (client ?? h.client).verifyIDToken(token, nonce: nonce) }
        #expect(error == nil || (error?.problem == .idTokenInvalid && error?.kind == .idTokenInvalid && error?.errorClass == .terminal))
        return error?.idTokenCheck
    }

    @Test func nonceMustMatch() async throws {
        try await Harness.run { h in
            let token = try await Self.idToken(h)
            #expect(try await h.client.verifyIDToken(token, nonce: "nonce-1").nonce == "nonce-1")
            #expect(await Self.check(h, token, nonce: "another") == .nonce)
            let missing = try await Self.idToken(h, nonce: nil)
            #expect(await Self.check(h, missing, nonce: "nonce-1") == .nonce)
            #expect(try await h.client.verifyIDToken(missing, nonce: nil).nonce == nil)
        }
    }

    @Test func audienceMustBeThisClient() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.clients.append(.init(clientID: "other.apps.googleusercontent.com", clientSecrets: ["other-secret"]))
        try await Harness.run(emulator: configuration) { h in
            let code = try h.code(clientID: "other.apps.googleusercontent.com")
            let other = try h.configuration(clientID: "other.apps.googleusercontent.com", clientSecret: "other-secret")
            let token = try await Harness.withClient(other) { client in
                try #require(try await client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier).idToken)
            }
            #expect(await Self.check(h, token) == .audience)
        }
    }

    @Test func issuerMustBeAccepted() async throws {
        try await Harness.run(acceptedIssuers: ["https://accounts.google.com"]) { h in
            let token = try await Self.idToken(h)
            #expect(await Self.check(h, token) == .issuer)
        }
    }

    @Test func bothIssuerFormsAreAcceptedByDefault() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.idTokenIssuerForm = .withoutScheme
        try await Harness.run(emulator: configuration) { h in
            let claims = try await h.client.verifyIDToken(try await Self.idToken(h), nonce: "nonce-1")
            #expect(!claims.issuer.hasPrefix("http"))
            #expect("http://" + claims.issuer == h.baseURL)
        }
    }

    @Test func expiredTokenIsRejected() async throws {
        try await Harness.run { h in
            h.emulator.advanceClock(bySeconds: -2 * 86_400)
            let token = try await Self.idToken(h)
            #expect(await Self.check(h, token) == .expired)
        }
    }

    @Test func tokenIssuedInTheFutureIsRejected() async throws {
        try await Harness.run { h in
            h.emulator.advanceClock(bySeconds: 1800)
            let token = try await Self.idToken(h)
            #expect(await Self.check(h, token) == .issuedInFuture)
        }
    }

    @Test func tamperedTokensAreRejected() async throws {
        try await Harness.run { h in
            let token = try await Self.idToken(h)
            let parts = token.split(separator: ".").map(String.init)
            let now = Int(Date().timeIntervalSince1970)
            let payload = base64URL(
                #"{"iss":"\#(h.baseURL)","aud":"\#(Harness.clientID)","azp":"\#(Harness.clientID)","sub":"1","iat":\#(now),"exp":\#(now + 3600),"nonce":"nonce-1"}"#
            )
            #expect(await Self.check(h, [parts[0], payload, parts[2]].joined(separator: ".")) == .signature)
            var signature = Array(parts[2])
            signature[10] = signature[10] == "A" ? "B" : "A"
            #expect(await Self.check(h, [parts[0], parts[1], String(signature)].joined(separator: ".")) == .signature)

            let none = base64URL(#"{"alg":"none","kid":"x"}"#)
            #expect(await Self.check(h, [none, payload, ""].joined(separator: ".")) == .algorithm)
            let hs256 = base64URL(#"{"alg":"HS256","kid":"x","typ":"JWT"}"#)
            #expect(await Self.check(h, [hs256, payload, parts[2]].joined(separator: ".")) == .algorithm)
            let unknownKid = base64URL(#"{"alg":"RS256","kid":"0123456789abcdef0123456789abcdef01234567","typ":"JWT"}"#)
            #expect(await Self.check(h, [unknownKid, parts[1], parts[2]].joined(separator: ".")) == .unknownKey)
            let noKid = base64URL(#"{"alg":"RS256","typ":"JWT"}"#)
            #expect(await Self.check(h, [noKid, parts[1], parts[2]].joined(separator: ".")) == .unknownKey)

            for garbage in ["", "a.b", "not.a.jwt", "....", "\u{0}.\u{1}.\u{2}", "!!!." + parts[1] + "." + parts[2]] {
                #expect(await Self.check(h, garbage) == .malformed)
            }
        }
    }

    static func jwksFetches(_ h: Harness) -> Int {
        h.logs.entries.filter { $0.metadata["google.operation"] == "jwks" }.count
    }

    @Test func keyRotationFetchesTheNewKeyOnce() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.uncertain.keyRotation = .immediate
        try await Harness.run(emulator: configuration, jwksMinimumRefetchInterval: .zero) { h in
            _ = try await h.client.verifyIDToken(try await Self.idToken(h), nonce: "nonce-1")
            #expect(Self.jwksFetches(h) == 1)
            let firstKID = h.emulator.signingKeyID
            try h.emulator.rotateSigningKey()
            #expect(h.emulator.signingKeyID != firstKID)
            let rotated = try await Self.idToken(h)
            for _ in 0..<3 { #expect(try await h.client.verifyIDToken(rotated, nonce: "nonce-1").subject == Harness.alice) }
            #expect(Self.jwksFetches(h) == 2, "the new kid is fetched once, then served from the cache")
        }
    }

    @Test func unknownKidRightAfterAFetchIsRefused() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.uncertain.keyRotation = .immediate
        try await Harness.run(emulator: configuration, jwksMinimumRefetchInterval: .seconds(600)) { h in
            _ = try await h.client.verifyIDToken(try await Self.idToken(h), nonce: "nonce-1")
            try h.emulator.rotateSigningKey()
            let token = try await Self.idToken(h)
            #expect(await Self.check(h, token) == .unknownKey)
            #expect(Self.jwksFetches(h) == 1, "the refetch is rate limited")
        }
    }

    @Test func keysAreFetchedAgainWhenTheirMaxAgeRunsOut() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.jwksMaxAgeSeconds = 1
        try await Harness.run(emulator: configuration, jwksMinimumRefetchInterval: .seconds(600)) { h in
            let token = try await Self.idToken(h)
            _ = try await h.client.verifyIDToken(token, nonce: "nonce-1")
            _ = try await h.client.verifyIDToken(token, nonce: "nonce-1")
            #expect(Self.jwksFetches(h) == 1)
            try await Task.sleep(for: .milliseconds(1100))
            _ = try await h.client.verifyIDToken(token, nonce: "nonce-1")
            #expect(Self.jwksFetches(h) == 2, "Cache-Control max-age is honoured")
        }
    }

    @Test func concurrentFirstVerificationsShareOneFetchAndAllSucceed() async throws {
        try await Harness.run { h in
            var tokens: [String] = []
            for index in 0..<32 {
                tokens.append(try #require(try await h.tokens(user: "10000000000000000\(100 + index)", nonce: "nonce-\(index)").idToken))
            }
            try await withThrowingTaskGroup(of: String?.self) { group in
                for (index, token) in tokens.enumerated() {
                    group.addTask { try await h.client.verifyIDToken(token, nonce: "nonce-\(index)").nonce }
                }
                var verified = 0
                for try await nonce in group where nonce != nil { verified += 1 }
                #expect(verified == tokens.count)
            }
            #expect(Self.jwksFetches(h) == 1)
        }
    }
}
