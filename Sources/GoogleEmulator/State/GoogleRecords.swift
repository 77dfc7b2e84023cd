import EmulatorSupport

/// What the emulator remembers about one authorization code.
struct CodeRecord {
    let clientID: String
    let redirectURI: String
    let sub: String
    /// The full names granted with this code (``GoogleScopes/granted(_:)``).
    let scopes: Set<String>
    let nonce: String?
    let codeChallenge: String?
    let challengeMethod: PKCE.Method
    /// `access_type=offline` and a consent screen was shown: the exchange adds a refresh token.
    let issuesRefreshToken: Bool
    let offline: Bool
    let expiresAt: Double
    /// How many times the token endpoint saw this code.
    var presentations = 0
    /// Exchanged (or burnt by a failed exchange, when that is switched on).
    var spent = false
}

/// An access or refresh token: whose, for which client, with which scopes. Tokens of an older
/// `generation` than their grant's were revoked.
struct TokenRecord {
    let clientID: String
    let sub: String
    let scopes: Set<String>
    let generation: Int
    /// Nil for refresh tokens (they do not expire by time here).
    let expiresAt: Double?
    let offline: Bool
}

/// The user–client pair a consent creates.
struct GrantKey: Hashable {
    let sub: String
    let clientID: String
}

/// A user's grant to a client: the scopes consented to (remembered, so later logins skip the
/// consent screen), the generation that revocation bumps, the live refresh tokens, oldest first.
struct Grant {
    var scopes: Set<String> = []
    var generation = 0
    var refreshTokens: [String] = []
}

/// Everything a successful token grant hands back to the route that answers it.
struct TokenGrant {
    let user: GoogleEmulatorConfiguration.User
    let clientID: String
    let scopes: Set<String>
    let nonce: String?
    let accessToken: String
    /// Only on the exchange that follows an offline consent.
    let refreshToken: String?
}

/// Why the token endpoint refused a code; each case is one `invalid_grant` (or
/// `redirect_uri_mismatch`) answer.
enum ExchangeFailure: Error {
    /// Unknown, expired, or issued to another client: `Bad Request`.
    case badRequest
    case alreadyRedeemed
    case redirectURIMismatch
    case missingVerifier
    case invalidVerifier
    case verifierNotNeeded

    var oauthError: OAuthError {
        switch self {
        case .badRequest: .invalidGrant("Bad Request")
        case .alreadyRedeemed: .invalidGrant("Code was already redeemed.")
        case .redirectURIMismatch: .redirectURIMismatch
        case .missingVerifier: .invalidGrant("Missing code verifier.")
        case .invalidVerifier: .invalidGrant("Invalid code verifier.")
        case .verifierNotNeeded: .invalidGrant("code_verifier or verifier is not needed.")
        }
    }
}
