import Accounts

/// The provider-specific half of a login job: present the code, then read and verify who the
/// user is. The queue, its retries and the account upsert are provider-neutral; adding a provider
/// (Google OIDC, say) means adding a type that conforms to this protocol, not editing the queue.
public protocol LoginProvider: Sendable {
    /// The name stored in `login_jobs.provider` and `user_identities.provider`, e.g. `kakao`.
    var name: String { get }

    /// The URL the browser opens to ask the user for consent; the provider redirects back to
    /// `redirectURI` with a code and `state`. May ask the provider where its endpoint is (OpenID
    /// discovery, cached).
    /// - Parameter additionalScopes: consent items to ask for besides the configured ones
    ///   (incremental consent; empty unless ``allowsAdditionalScopes``).
    /// - Throws: ``LoginProviderError`` when the provider cannot be reached for that.
    func authorizationURL(
        redirectURI: String,
        state: String,
        codeChallenge: String,
        nonce: String,
        additionalScopes: [String]
    ) async throws -> String

    /// Whether a login may ask for consent items beyond the configured ones (`"scope"` of
    /// `POST /auth/{provider}/start`): Kakao's incremental consent.
    var allowsAdditionalScopes: Bool { get }

    /// Presents the authorization code and returns the provider's tokens.
    /// - Throws: ``LoginProviderError``.
    func exchange(code: String, redirectURI: String, codeVerifier: String?) async throws -> ProviderTokens

    /// Reads the user's profile with the tokens of ``exchange(code:redirectURI:codeVerifier:)``
    /// and verifies the id token, when there is one, against `nonce`.
    /// - Throws: ``LoginProviderError``.
    func profile(tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile

    /// Whether a native app may post the tokens it got from the provider's SDK
    /// (`POST /auth/kakao/token`): only a provider that can tell whether a token was issued to
    /// this app takes them.
    var acceptsAppTokens: Bool { get }

    /// Reads the profile of a native app's tokens (a job of kind `kakao_token`): first checks that
    /// the access token was issued to this app, and an id_token's audience and `nonce`, before
    /// trusting anything the tokens say; then as ``profile(tokens:nonce:)``.
    /// - Throws: ``LoginProviderError``: `token_not_for_this_app` for another app's token.
    func profile(ofAppTokens tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile

    /// The token to keep on the identity, sealed, so that ``disconnect(subject:token:)`` can be
    /// called when the account is deleted; nil when the provider needs none.
    func disconnectToken(from tokens: ProviderTokens) -> String?

    /// Disconnects the app from the user's provider account (an account deletion): Kakao unlinks
    /// the user with the admin key, Google revokes the grant with `token`. Succeeds when the
    /// provider had already forgotten the user or the token.
    /// - Throws: ``LoginProviderError``.
    func disconnect(subject: String, token: String?) async throws

    /// The failure codes of a login whose retries of this provider's errors ran into the
    /// job's deadline (`kakao_unavailable`, `kakao_rate_limited`).
    var exhaustedRetryCodes: ExhaustedRetryCodes { get }
}

extension LoginProvider {
    public var acceptsAppTokens: Bool { false }

    /// A provider that takes no app tokens never gets a job of them: failing is all it can do.
    public func profile(ofAppTokens tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        throw LoginProviderError(retryClass: .terminal, delivery: .notSent, failureCode: .internalError, providerError: nil)
    }
}

/// What a login fails with when a provider's retryable errors outlast its deadline.
public struct ExhaustedRetryCodes: Sendable {
    /// After timeouts, 5xx and the like.
    public let unavailable: LoginFailureCode
    /// After rate limits and quotas.
    public let rateLimited: LoginFailureCode

    public init(unavailable: LoginFailureCode, rateLimited: LoginFailureCode) {
        self.unavailable = unavailable
        self.rateLimited = rateLimited
    }

    /// The code for retries of `retryClass`; nil for ``LoginProviderError/RetryClass/terminal``,
    /// which is never retried.
    func code(after retryClass: LoginProviderError.RetryClass) -> LoginFailureCode? {
        switch retryClass {
        case .retryable: unavailable
        case .rateLimited: rateLimited
        case .terminal: nil
        }
    }
}

/// The tokens a provider returned for a code. Kept only sealed (the job's checkpoint) and only
/// until the job ends.
public struct ProviderTokens: Sendable, Codable, Equatable {
    public var accessToken: String
    public var idToken: String?
    /// The provider's refresh token, when it issued one (Google with `access_type=offline`).
    public var refreshToken: String?
    /// The consent items granted, when the provider's token answer says (Kakao's `scope`).
    public var scopes: [String]?

    public init(accessToken: String, idToken: String?, refreshToken: String? = nil, scopes: [String]? = nil) {
        self.accessToken = accessToken
        self.idToken = idToken
        self.refreshToken = refreshToken
        self.scopes = scopes
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "a"
        case idToken = "i"
        case refreshToken = "r"
        case scopes = "s"
    }
}
