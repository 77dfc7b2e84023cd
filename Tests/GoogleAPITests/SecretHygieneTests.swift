import Foundation
import GoogleAPI
import GoogleEmulator
import InMemoryLogging
import Logging
import Testing

@Suite("Codes, tokens, secrets, emails and Google's text never reach logs or error descriptions")
struct SecretHygieneTests {
    @Test func sentinelCodeThroughInvalidGrant() async throws {
        let sentinel = "4/0ASENTINEL-CODE-7d1f3a9c"
        try await Harness.run { h in
            let error = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(
                        sentinel,
                        redirectURI: Harness.redirectURI,
                        codeVerifier: "VERIFIER-SENTINEL-123456789012345678901234567"
                    )
                }
            )
            #expect(error.googleError == .invalidGrant)
            for text in [error.description, String(reflecting: error), "\(error)"] {
                #expect(!text.contains("SENTINEL"))
                #expect(!text.contains("Bad Request") && !text.contains("Malformed"), "Google's text is dropped")
                #expect(!text.contains(Harness.clientSecret))
            }
            let entries = h.logs.entries
            #expect(
                entries.contains { $0.metadata["google.error"] == "invalid_grant" },
                "the failure was logged, with its error value only"
            )
            #expect(entries.contains { $0.metadata["google.error_class"] == "terminal" && $0.metadata["google.delivery"] == "responded" })
            #expect(entries.contains { $0.metadata["google.status"] == "400" && $0.metadata["google.duration_ms"] != nil })
            for entry in entries {
                let line = "\(entry.message) \(entry.metadata)"
                #expect(!line.contains("SENTINEL"), "log line leaks the code or verifier: \(entry.message)")
                #expect(!line.contains(Harness.clientSecret))
            }
        }
    }

    @Test func tokensSecretsAndEmailsStayOutOfLogs() async throws {
        try await Harness.run { h in
            let code = try h.code(accessType: "offline")
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
            let claims = try await h.client.verifyIDToken(try #require(tokens.idToken), nonce: "nonce-1")
            let user = try await h.client.userInfo(accessToken: tokens.accessToken)
            let refreshed = try await h.client.refresh(refreshToken: try #require(tokens.refreshToken))
            try await h.client.revoke(token: refreshed.accessToken)
            let failures = [
                await h.expectError { try await h.client.userInfo(accessToken: tokens.accessToken) },
                await h.expectError { try await h.client.refresh(refreshToken: tokens.refreshToken ?? "") },
                await h.expectError {
                    try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
                },
            ].compactMap { $0 }
            #expect(failures.count == 3)
            let secrets = [
                code, Harness.verifier, tokens.accessToken, tokens.refreshToken ?? "-", tokens.idToken ?? "-", refreshed.accessToken,
                Harness.clientSecret, user.email ?? "-", claims.email ?? "-", "alice.emulator",
            ]
            for entry in h.logs.entries {
                let line = "\(entry.message) \(entry.metadata)"
                for secret in secrets { #expect(!line.contains(secret), "log line leaks a secret: \(entry.message)") }
            }
            let texts = ["\(tokens)", String(reflecting: tokens), "\(refreshed)", "\(user)", "\(claims)"] + failures.map(\.description)
            for text in texts {
                for secret in secrets { #expect(!text.contains(secret)) }
            }
        }
    }
}
