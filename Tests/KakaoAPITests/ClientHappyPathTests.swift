import Crypto
import Foundation
import KakaoAPI
import KakaoEmulator
import Testing

@Suite("Client against the emulator: the login path")
struct ClientHappyPathTests {
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    static var challenge: String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func exchangeVerifyAndReadTheUser() async throws {
        try await Harness.run { h in
            let bigID: Int64 = 1_376_016_924_426_814_086
            let code = try h.emulator.mintCode(
                userID: bigID,
                scope: "openid profile_nickname profile_image account_email",
                codeChallenge: Self.challenge,
                nonce: "n-0S6"
            )
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Self.verifier)
            #expect(tokens.tokenType == "bearer")
            #expect(tokens.expiresIn == 21599)
            #expect(tokens.refreshTokenExpiresIn == 5_183_999)
            #expect(tokens.refreshToken != nil)
            #expect(Set(tokens.scopes ?? []) == ["openid", "profile_nickname", "profile_image", "account_email"])
            let idToken = try #require(tokens.idToken)

            let claims = try await h.client.verifyIDToken(idToken, nonce: "n-0S6")
            #expect(claims.userID == bigID)
            #expect(claims.subject == "1376016924426814086")
            #expect(claims.issuer == h.baseURL)
            #expect(claims.audiences == ["emulator-rest-api-key"])
            #expect(claims.nickname == "어피치")
            #expect(claims.email == "apeach@emulator.kakao.test")
            #expect(claims.picture?.hasSuffix("_110x110.jpg") == true)
            #expect(claims.authTime != nil)

            let user = try await h.client.userMe(accessToken: tokens.accessToken)
            #expect(user.id == bigID)
            #expect(user.nickname == "어피치")
            #expect(user.emailVerified)
            #expect(user.email == "apeach@emulator.kakao.test")
            #expect(user.profileImageURL?.hasPrefix("https://") == true, "the client asks for secure_resource")
            #expect(user.itemsNeedingAgreement.isEmpty)
            #expect(user.connectedAt != nil)

            let info = try await h.client.accessTokenInfo(accessToken: tokens.accessToken)
            #expect(info.id == bigID)
            #expect(info.appID == 100_001)
            #expect((21500...21600).contains(info.expiresIn))

            #expect(try await h.client.logout(accessToken: tokens.accessToken) == bigID)
            let afterLogout = try #require(await h.expectError { try await h.client.userMe(accessToken: tokens.accessToken) })
            #expect(afterLogout.kakaoCode == .invalidToken)
            #expect(afterLogout.httpStatus == 401)
            #expect(afterLogout.errorClass == .terminal)
        }
    }

    @Test func exchangeWithoutOpenIDHasNoIDToken() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            #expect(tokens.idToken == nil)
            #expect(Set(tokens.scopes ?? []) == ["profile_nickname", "profile_image", "account_email"])
        }
    }

    @Test func clientSecretIsSentWhenTheAppHasItOn() async throws {
        var configuration = KakaoEmulatorConfiguration()
        configuration.apps[0].clientSecret = "emulator-secret"
        try await Harness.run(emulator: configuration, clientSecret: "emulator-secret") { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            let refreshed = try await h.client.refresh(refreshToken: try #require(tokens.refreshToken))
            #expect(refreshed.refreshToken == nil, "two months left: no rotation")
        }
    }

    @Test func refreshRotatesWithLessThanAMonthLeft() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653, scope: "openid profile_nickname")
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            let original = try #require(tokens.refreshToken)
            let early = try await h.client.refresh(refreshToken: original)
            #expect(early.refreshToken == nil)
            #expect(early.idToken != nil, "OIDC on and openid granted: the refresh carries an ID token")
            #expect(early.expiresIn == 21599)

            h.emulator.advanceClock(bySeconds: 31 * 86_400)
            let late = try await h.client.refresh(refreshToken: original)
            let rotated = try #require(late.refreshToken)
            #expect(rotated != original)
            #expect(late.refreshTokenExpiresIn == 5_183_999)

            let reused = try #require(await h.expectError { try await h.client.refresh(refreshToken: original) })
            #expect(reused.kakaoCode == .koe322)
            #expect(reused.errorClass == .terminal)
            _ = try await h.client.refresh(refreshToken: rotated)
            #expect(h.emulator.stats.refreshRotationsTotal == 1)
        }
    }

    @Test func unlinkWithTheAdminKey() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            #expect(try await h.client.unlink(userID: 3_141_592_653) == 3_141_592_653)
            let me = try #require(await h.expectError { try await h.client.userMe(accessToken: tokens.accessToken) })
            #expect(me.kakaoCode == .invalidToken)
            let refresh = try #require(await h.expectError { try await h.client.refresh(refreshToken: tokens.refreshToken ?? "") })
            #expect(refresh.kakaoCode == .koe322)
            let again = try #require(await h.expectError { try await h.client.unlink(userID: 3_141_592_653) })
            #expect(again.kakaoCode?.rawValue == "-101")
            #expect(again.problem == .accountRestricted)
        }
    }

    @Test func unlinkWithoutAnAdminKeyIsAConfigurationError() async throws {
        try await Harness.run(adminKey: nil) { h in
            let error = try #require(await h.expectError { try await h.client.unlink(userID: 1) })
            #expect(error.kind == .invalidConfiguration)
            #expect(error.delivery == .notSent)
        }
    }

    @Test func wrongAdminKeyIsMinus401() async throws {
        try await Harness.run(adminKey: "not-the-admin-key") { h in
            _ = try h.emulator.mintCode(userID: 3_141_592_653)
            let error = try #require(await h.expectError { try await h.client.unlink(userID: 3_141_592_653) })
            #expect(error.kakaoCode == .invalidToken)
            #expect(error.problem == .appMisconfigured)
        }
    }
}
