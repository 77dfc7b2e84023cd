import Accounts
import LoginQueue

/// A test provider built on another: every requirement it does not implement goes to `wrapped`,
/// so a test double states only what it changes.
protocol ForwardingProvider: LoginProvider {
    var wrapped: any LoginProvider { get }
}

extension ForwardingProvider {
    var name: String { wrapped.name }
    var exhaustedRetryCodes: ExhaustedRetryCodes { wrapped.exhaustedRetryCodes }
    var allowsAdditionalScopes: Bool { wrapped.allowsAdditionalScopes }
    var acceptsAppTokens: Bool { wrapped.acceptsAppTokens }

    func authorizationURL(
        redirectURI: String,
        state: String,
        codeChallenge: String,
        nonce: String,
        additionalScopes: [String]
    ) async throws -> String {
        try await wrapped.authorizationURL(
            redirectURI: redirectURI,
            state: state,
            codeChallenge: codeChallenge,
            nonce: nonce,
            additionalScopes: additionalScopes
        )
    }

    func exchange(code: String, redirectURI: String, codeVerifier: String?) async throws -> ProviderTokens {
        try await wrapped.exchange(code: code, redirectURI: redirectURI, codeVerifier: codeVerifier)
    }

    func profile(tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        try await wrapped.profile(tokens: tokens, nonce: nonce)
    }

    func profile(ofAppTokens tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        try await wrapped.profile(ofAppTokens: tokens, nonce: nonce)
    }

    func disconnectToken(from tokens: ProviderTokens) -> String? { wrapped.disconnectToken(from: tokens) }
    func disconnect(subject: String, token: String?) async throws { try await wrapped.disconnect(subject: subject, token: token) }
}
