/// Why the queue refused a request. Each code is stable; the HTTP edge maps it to a status.
/// Descriptions never carry a code, a state, a token or a row value.
public struct LoginQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code (the API's `error.code`).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The code is missing, empty, longer than 512 bytes or has characters Kakao never uses.
        public static let invalidCode = Code("invalid_code")
        /// A posted provider token (`POST /auth/kakao/token`: the access token, the id_token or
        /// the nonce) is missing, empty, too long or malformed.
        public static let invalidProviderToken = Code("invalid_provider_token")
        /// The state is missing, malformed, or not the attempt's.
        public static let invalidState = Code("invalid_state")
        /// No attempt is bound to this browser or client.
        public static let attemptNotFound = Code("attempt_not_found")
        /// The attempt is older than its lifetime.
        public static let attemptExpired = Code("attempt_expired")
        /// The attempt was already used for another code.
        public static let attemptAlreadyUsed = Code("attempt_already_used")
        /// The redirect URI is not the attempt's (or not in the allow-list).
        public static let redirectURINotAllowed = Code("redirect_uri_not_allowed")
        /// The code was posted before with another attempt.
        public static let codeAlreadySubmitted = Code("code_already_submitted")
        /// This client holds too many unused attempts.
        public static let tooManyPendingAttempts = Code("too_many_pending_attempts")
        /// The stateless flow is switched off (`LOGIN_REQUIRE_STATE=true`).
        public static let stateRequired = Code("state_required")
        /// The provider could not be asked where its login page is (discovery failed); nothing was
        /// written.
        public static let providerUnavailable = Code("provider_unavailable")
        /// The database could not be reached; nothing was committed.
        public static let databaseUnavailable = Code("database_unavailable")
        /// Anything else; details are logged, not returned.
        public static let internalError = Code("internal_error")

        public var description: String { rawValue }
    }

    public let code: Code

    public init(_ code: Code) { self.code = code }

    public var description: String { "login queue: \(code)" }
}
