import Foundation
import InMemoryLogging
import KakaoAPI
import KakaoEmulator
import Logging
import Testing

@Suite("Codes, tokens and Kakao's text never reach logs or error descriptions")
struct SecretHygieneTests {
    @Test func sentinelCodeThroughKOE320() async throws {
        let sentinel = "SENTINEL-CODE-7d1f3a9c"
        try await Harness.run { h in
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode(sentinel, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.kakaoCode == .koe320)
            for text in [error.description, String(reflecting: error), "\(error)"] {
                #expect(!text.contains(sentinel))
                #expect(!text.contains("authorization code not found"), "Kakao's text is dropped")
            }
            let entries = h.logs.entries
            #expect(entries.contains { $0.metadata["kakao.error_code"] == "KOE320" }, "the failure was logged, with its code only")
            for entry in entries {
                let line = "\(entry.message) \(entry.metadata)"
                #expect(!line.contains(sentinel), "log line leaks the code: \(entry.message)")
            }
        }
    }

    @Test func tokensAndSecretsStayOutOfLogs() async throws {
        var configuration = KakaoEmulatorConfiguration()
        configuration.apps[0].clientSecret = "SENTINEL-SECRET-55"
        try await Harness.run(emulator: configuration, clientSecret: "SENTINEL-SECRET-55") { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653, scope: "openid profile_nickname account_email")
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            let user = try await h.client.userMe(accessToken: tokens.accessToken)
            _ = try await h.client.verifyIDToken(tokens.idToken ?? "", nonce: nil)
            let secrets = [
                code, tokens.accessToken, tokens.refreshToken ?? "-", tokens.idToken ?? "-", "SENTINEL-SECRET-55", user.email ?? "-",
            ]
            for entry in h.logs.entries {
                let line = "\(entry.message) \(entry.metadata)"
                for secret in secrets { #expect(!line.contains(secret)) }
            }
            for text in ["\(tokens)", String(reflecting: tokens), "\(user)"] {
                for secret in secrets { #expect(!text.contains(secret)) }
            }
        }
    }
}
