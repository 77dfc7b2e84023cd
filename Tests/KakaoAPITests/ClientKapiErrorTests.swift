import KakaoAPI
import KakaoEmulator
import Testing

@Suite("Client against the emulator: kapi answers and errors")
struct ClientKapiErrorTests {
    /// Logs `userID` in with `scope` and answers user/me.
    static func userMe(_ h: Harness, userID: Int64, scope: String? = nil) async throws(KakaoAPIError) -> KakaoUser {
        let code = try! h.emulator.mintCode(userID: userID, scope: scope)
        let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
        return try await h.client.userMe(accessToken: tokens.accessToken)
    }

    @Test func declinedEmailNeedsAgreement() async throws {
        try await Harness.run { h in
            let user = try await Self.userMe(h, userID: 3_141_592_653, scope: "profile_nickname")
            #expect(user.nickname == "라이언")
            #expect(user.email == nil)
            #expect(!user.emailVerified)
            #expect(user.emailNeedsAgreement)
            #expect(user.itemsNeedingAgreement == ["account_email", "profile_image"])
            #expect(user.profileImageURL == nil)
        }
    }

    @Test func accountWithoutEmail() async throws {
        try await Harness.run { h in
            let user = try await Self.userMe(h, userID: 2_718_281_828)
            #expect(user.email == nil)
            #expect(!user.emailNeedsAgreement)
            #expect(!user.emailVerified)
        }
    }

    @Test func unverifiedEmailIsNotVerified() async throws {
        try await Harness.run { h in
            let user = try await Self.userMe(h, userID: 1_618_033_988)
            #expect(user.email == "frodo@emulator.kakao.test")
            #expect(user.isEmailValid)
            #expect(!user.isEmailVerified)
            #expect(!user.emailVerified)
        }
    }

    @Test func defaultProfileFlags() async throws {
        try await Harness.run { h in
            let user = try await Self.userMe(h, userID: 1_414_213_562)
            #expect(user.isDefaultImage == true)
            #expect(user.isDefaultNickname == true)
        }
    }

    @Test func syntheticUserHasAVerifiedEmail() async throws {
        try await Harness.run { h in
            let user = try await Self.userMe(h, userID: 123_456_789)
            #expect(user.id == 123_456_789)
            #expect(user.email == "user-123456789@emulator.kakao.test")
            #expect(user.emailVerified)
        }
    }

    @Test func missingRequiredConsentIsMinus402() async throws {
        try await Harness.run { h in
            let error = try #require(await h.expectError { try await Self.userMe(h, userID: 3_141_592_653, scope: "account_email") })
            #expect(error.kakaoCode == .insufficientScopes)
            #expect(error.httpStatus == 403)
            #expect(error.problem == .consentMissing)
            #expect(error.errorClass == .terminal)
            #expect(error.requiredScopes == ["profile_nickname"])
        }
    }

    @Test(arguments: [
        (KakaoEmulatorConfiguration.Restriction.sanctioned, "-4", 403),
        (.dormant, "-103", 400),
        (.ageVerificationRequired, "-405", 403),
        (.under14, "-406", 401),
    ])
    func restrictedAccounts(restriction: KakaoEmulatorConfiguration.Restriction, code: String, status: Int) async throws {
        let configuration = KakaoEmulatorConfiguration(users: [.init(id: 77, nickname: "restricted", restriction: restriction)])
        try await Harness.run(emulator: configuration) { h in
            let error = try #require(await h.expectError { try await Self.userMe(h, userID: 77) })
            #expect(error.kakaoCode?.rawValue == code)
            #expect(error.httpStatus == status)
            #expect(error.problem == .accountRestricted)
            #expect(error.errorClass == .terminal)
        }
    }

    @Test func expiredAndUnknownAccessTokensAreMinus401() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            h.emulator.advanceClock(bySeconds: 21_601)
            for error in [
                try #require(await h.expectError { try await h.client.userMe(accessToken: tokens.accessToken) }),
                try #require(await h.expectError { try await h.client.accessTokenInfo(accessToken: tokens.accessToken) }),
                try #require(await h.expectError { try await h.client.userMe(accessToken: "garbage token !!") }),
                try #require(await h.expectError { try await h.client.logout(accessToken: "unknown") }),
            ] {
                #expect(error.kakaoCode == .invalidToken)
                #expect(error.httpStatus == 401)
                #expect(error.problem == .appMisconfigured)
            }
        }
    }

    @Test func malformedTokenIsMinus2() async throws {
        try await Harness.run { h in
            let error = try #require(await h.expectError { try await h.client.userMe(accessToken: String(repeating: "x", count: 2000)) })
            #expect(error.kakaoCode?.rawValue == "-2")
            #expect(error.httpStatus == 400)
            #expect(error.problem == .requestRefused)
            #expect(error.errorClass == .terminal)
        }
    }
}
