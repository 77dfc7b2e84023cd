import Accounts
import LoginQueue

/// The provider of `bench queue`: it answers at once, so the queue core is measured alone. The
/// code becomes the access token and the access token the user's subject, so every job signs up
/// a user of its own, as a first login does.
struct NoOpLoginProvider: LoginProvider {
    /// Stored in `login_jobs.provider` and `user_identities.provider`; the bench's rows are these.
    static let providerName = "bench_queue"

    var name: String { Self.providerName }
    var allowsAdditionalScopes: Bool { false }
    var exhaustedRetryCodes: ExhaustedRetryCodes { ExhaustedRetryCodes(unavailable: .kakaoUnavailable, rateLimited: .kakaoRateLimited) }

    func authorizationURL(
        redirectURI: String,
        state: String,
        codeChallenge: String,
        nonce: String,
        additionalScopes: [String]
    ) async throws
        -> String
    {
        redirectURI
    }

    func exchange(code: String, redirectURI: String, codeVerifier: String?) async throws -> ProviderTokens {
        ProviderTokens(accessToken: code, idToken: nil)
    }

    func profile(tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        ProviderProfile(provider: name, subject: tokens.accessToken)
    }

    func disconnectToken(from tokens: ProviderTokens) -> String? { nil }

    func disconnect(subject: String, token: String?) async throws {}
}
