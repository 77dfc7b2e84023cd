/// Errors of the `Accounts` module: a stable ``code`` to branch on (and to show a client) and a
/// safe detail. The description never carries a token, a key, an email or a row value.
///
/// Database failures are not wrapped: they surface as the `Postgres` module's `PostgresError`,
/// so a caller can tell a lost connection (retry, 503) from a refused token (4xx).
public struct AccountsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code; its `description` is the string an HTTP error body carries.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case noSigningKeys = "no_signing_keys"
            case invalidSigningKeys = "invalid_signing_keys"
            case invalidConfiguration = "invalid_configuration"
            case signingFailed = "signing_failed"
            case invalidProfile = "invalid_profile"
            case invalidAccessToken = "invalid_access_token"
            case invalidRefreshToken = "invalid_refresh_token"
            case refreshTokenReused = "refresh_token_reused"
            case sessionRevoked = "session_revoked"
            case sessionExpired = "session_expired"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The key folder holds no key (`LOGIN_JWT_KEYS`).
        public static let noSigningKeys = Code(.noSigningKeys)
        /// A key file is unreadable or not a P-256 private key, two keys share an id, a key id is
        /// malformed, or the signing kid names no key.
        public static let invalidSigningKeys = Code(.invalidSigningKeys)
        /// A ``SessionConfiguration`` value is out of range (a short derivation key, a lifetime).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Signing an access token failed.
        public static let signingFailed = Code(.signingFailed)
        /// A ``ProviderProfile`` cannot be stored: a malformed provider name or subject.
        public static let invalidProfile = Code(.invalidProfile)
        /// An access token is malformed, forged, expired, signed by an unknown key or with another
        /// algorithm than ES256, or names another issuer or audience, or an unknown session.
        public static let invalidAccessToken = Code(.invalidAccessToken)
        /// A refresh token is malformed or unknown.
        public static let invalidRefreshToken = Code(.invalidRefreshToken)
        /// A rotated refresh token was presented after the grace window: its whole family (the
        /// session) has just been revoked.
        public static let refreshTokenReused = Code(.refreshTokenReused)
        /// The session was revoked (logout, reuse detection, an operator).
        public static let sessionRevoked = Code(.sessionRevoked)
        /// The session outlived its family lifetime (30 days by default).
        public static let sessionExpired = Code(.sessionExpired)

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A safe, human summary (never a secret or a row value).
    public let detail: String?

    /// Creates an error; `detail` must not contain a token, a key, an email or a row value.
    public init(_ code: Code, _ detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    public var description: String {
        if let detail { return "\(code): \(detail)" }
        return "\(code)"
    }
}
