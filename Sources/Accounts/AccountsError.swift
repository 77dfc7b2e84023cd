/// Errors of the `Accounts` module. The description never carries a token, a key or a row value.
public struct AccountsError: Error, Sendable, CustomStringConvertible {
    /// A stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case noSigningKeys = "no_signing_keys"
            case invalidSigningKeys = "invalid_signing_keys"
            case signingFailed = "signing_failed"
            case invalidAccessToken = "invalid_access_token"
            case invalidRefreshToken = "invalid_refresh_token"
            case refreshTokenReused = "refresh_token_reused"
            case sessionRevoked = "session_revoked"
            case sessionExpired = "session_expired"
            case database = "database"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        public static let noSigningKeys = Code(.noSigningKeys)
        public static let invalidSigningKeys = Code(.invalidSigningKeys)
        public static let signingFailed = Code(.signingFailed)
        public static let invalidAccessToken = Code(.invalidAccessToken)
        public static let invalidRefreshToken = Code(.invalidRefreshToken)
        public static let refreshTokenReused = Code(.refreshTokenReused)
        public static let sessionRevoked = Code(.sessionRevoked)
        public static let sessionExpired = Code(.sessionExpired)
        public static let database = Code(.database)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// A safe, human summary (never a secret or a row value).
    public let detail: String?

    public init(_ code: Code, _ detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    public var description: String {
        if let detail { return "\(code): \(detail)" }
        return "\(code)"
    }
}
