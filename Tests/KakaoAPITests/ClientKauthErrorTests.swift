import KakaoAPI
import KakaoEmulator
import Testing

@Suite("Client against the emulator: kauth token errors")
struct ClientKauthErrorTests {
    @Test func secondPresentationIsKOE320EvenAfterSuccess() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            _ = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.kakaoCode == .koe320)
            #expect(error.httpStatus == 400)
            #expect(error.kind == .kakaoError)
            #expect(error.delivery == .responded)
            #expect(error.errorClass == .terminal)
            #expect(error.problem == .grantRejected)
            #expect(h.emulator.stats.codesPresentedMoreThanOnce == 1)
        }
    }

    @Test func unknownCodeIsKOE320() async throws {
        try await Harness.run { h in
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode("no-such-code", redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.kakaoCode == .koe320)
            #expect(h.emulator.stats.codesPresentedMoreThanOnce == 0)
        }
    }

    @Test func expiredCodeIsKOE320() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            h.emulator.advanceClock(bySeconds: 601)
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.kakaoCode == .koe320)
        }
    }

    @Test func shortConfiguredCodeLifetime() async throws {
        try await Harness.run(emulator: KakaoEmulatorConfiguration(codeLifetimeSeconds: 5)) { h in
            let fresh = try h.emulator.mintCode(userID: 3_141_592_653)
            let stale = try h.emulator.mintCode(userID: 3_141_592_653)
            _ = try await h.client.exchangeCode(fresh, redirectURI: Harness.redirectURI, codeVerifier: nil)
            h.emulator.advanceClock(bySeconds: 6)
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode(stale, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.kakaoCode == .koe320)
        }
    }

    @Test func redirectURIMismatchIsKOE303() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            let error = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(code, redirectURI: "http://localhost:8080/auth/kakao/callback", codeVerifier: nil)
                }
            )
            #expect(error.kakaoCode == .koe303)
            #expect(error.problem == .redirectURIMismatch)
            #expect(error.errorClass == .terminal)
        }
    }

    @Test func missingOrWrongClientSecretIsKOE010() async throws {
        var configuration = KakaoEmulatorConfiguration()
        configuration.apps[0].clientSecret = "emulator-secret"
        for secret in [nil, "wrong-secret"] as [String?] {
            try await Harness.run(emulator: configuration, clientSecret: secret) { h in
                let code = try h.emulator.mintCode(userID: 3_141_592_653)
                let error = try #require(
                    await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
                )
                #expect(error.kakaoCode == .koe010)
                #expect(error.httpStatus == 401)
                #expect(error.problem == .appMisconfigured)
            }
        }
    }

    @Test func unknownClientIDIsKOE101() async throws {
        try await Harness.run(restAPIKey: "not-a-registered-key") { h in
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode("x", redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.kakaoCode == .koe101)
            #expect(error.httpStatus == 401)
            #expect(error.problem == .appMisconfigured)
        }
    }

    @Test func codeOfAnotherAppIsKOE114() async throws {
        var configuration = KakaoEmulatorConfiguration()
        configuration.apps.append(.init(appID: 100_003, restAPIKey: "other-app-key", nativeAppKey: nil, adminKey: nil))
        try await Harness.run(emulator: configuration, restAPIKey: "other-app-key") { h in
            let code = try h.emulator.mintCode(clientID: "emulator-rest-api-key", userID: 3_141_592_653)
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.kakaoCode == .koe114)
            #expect(error.problem == .appMisconfigured)
        }
    }

    @Test func pkceVerifierMismatchAndAbsence() async throws {
        try await Harness.run { h in
            let wrong = try h.emulator.mintCode(userID: 3_141_592_653, codeChallenge: ClientHappyPathTests.challenge)
            let wrongError = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(
                        wrong,
                        redirectURI: Harness.redirectURI,
                        codeVerifier: String(repeating: "a", count: 43)
                    )
                }
            )
            #expect(wrongError.kakaoCode == .koe320)
            let missing = try h.emulator.mintCode(userID: 3_141_592_653, codeChallenge: ClientHappyPathTests.challenge)
            let missingError = try #require(
                await h.expectError { try await h.client.exchangeCode(missing, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(missingError.kakaoCode == .koe320)
            // A failed exchange burns the code (the strict default): the right verifier comes too late.
            let burnt = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(missing, redirectURI: Harness.redirectURI, codeVerifier: ClientHappyPathTests.verifier)
                }
            )
            #expect(burnt.kakaoCode == .koe320)
        }
    }

    @Test func perUserRateLimitIsKOE237() async throws {
        try await Harness.run { h in
            for _ in 0..<20 {
                let code = try h.emulator.mintCode(userID: 42)
                _ = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            }
            let code = try h.emulator.mintCode(userID: 42)
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.kakaoCode == .koe237)
            #expect(error.errorClass == .rateLimited)
            #expect(error.problem == .rateLimited)
            // Other users are not limited, and the limited code was not consumed: it works 10 minutes later.
            _ = try await h.client.exchangeCode(try h.emulator.mintCode(userID: 43), redirectURI: Harness.redirectURI, codeVerifier: nil)
            h.emulator.advanceClock(bySeconds: 300)
            let later = try h.emulator.mintCode(userID: 42)
            h.emulator.advanceClock(bySeconds: 301)
            _ = try await h.client.exchangeCode(later, redirectURI: Harness.redirectURI, codeVerifier: nil)
            #expect(h.emulator.stats.rateLimitedTotal == 1)
        }
    }

    @Test func rateLimitCanBeSwitchedOffAndAnsweredWith429() async throws {
        try await Harness.run(emulator: KakaoEmulatorConfiguration(rateLimit: .init(enabled: false))) { h in
            for _ in 0..<25 {
                _ = try await h.client.exchangeCode(try h.emulator.mintCode(userID: 7), redirectURI: Harness.redirectURI, codeVerifier: nil)
            }
        }
        try await Harness.run(emulator: KakaoEmulatorConfiguration(rateLimit: .init(accessTokensPer10Minutes: 1, status: 429))) { h in
            _ = try await h.client.exchangeCode(try h.emulator.mintCode(userID: 7), redirectURI: Harness.redirectURI, codeVerifier: nil)
            let code = try h.emulator.mintCode(userID: 7)
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.httpStatus == 429)
            #expect(error.errorClass == .rateLimited)
        }
    }

    @Test func missingRefreshTokenIsKOE319() async throws {
        try await Harness.run { h in
            let error = try #require(await h.expectError { try await h.client.refresh(refreshToken: "") })
            #expect(error.kakaoCode == .koe319)
            #expect(error.problem == .requestRefused)
        }
    }

    @Test func unknownRefreshTokenIsKOE322() async throws {
        try await Harness.run { h in
            let error = try #require(await h.expectError { try await h.client.refresh(refreshToken: "never-issued") })
            #expect(error.kakaoCode == .koe322)
            #expect(error.errorClass == .terminal)
        }
    }
}
