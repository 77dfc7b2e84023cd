/// The one error of ``GoogleClient``. It carries Google's `error` value and the HTTP status when
/// there were any, whether the request reached Google, and what the problem is in Google's terms
/// (with the retry class it implies). Google's `error_description` is never kept:
/// `description` holds no code, token, secret, email or Google text.
public struct GoogleAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What happened, as a stable code.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case googleError = "google_error"
            case unexpectedResponse = "unexpected_response"
            case responseTooLarge = "response_too_large"
            case connectFailed = "connect_failed"
            case timedOut = "timed_out"
            case connectionLost = "connection_lost"
            case transport
            case cancelled
            case idTokenInvalid = "id_token_invalid"
            case invalidConfiguration = "invalid_configuration"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The kind of this name (see ``description``); `transport` for an unknown name.
        init(named name: String) { self.init(Value(rawValue: name) ?? .transport) }

        /// Google answered with an OAuth or API error body; see ``GoogleAPIError/googleError``.
        public static let googleError = Kind(.googleError)
        /// An answer that is not what the endpoint returns (HTML page, truncated JSON, a redirect, …).
        public static let unexpectedResponse = Kind(.unexpectedResponse)
        /// An answer larger than `maxResponseBytes`.
        public static let responseTooLarge = Kind(.responseTooLarge)
        /// No connection could be made.
        public static let connectFailed = Kind(.connectFailed)
        /// No (complete) answer in time.
        public static let timedOut = Kind(.timedOut)
        /// The connection closed before the answer was complete.
        public static let connectionLost = Kind(.connectionLost)
        /// Another network or protocol error.
        public static let transport = Kind(.transport)
        /// The calling task was cancelled.
        public static let cancelled = Kind(.cancelled)
        /// The ID token failed verification; see ``GoogleAPIError/idTokenCheck``.
        public static let idTokenInvalid = Kind(.idTokenInvalid)
        /// The client configuration (or the discovery document it led to) is not usable.
        public static let invalidConfiguration = Kind(.invalidConfiguration)

        public var description: String { value.rawValue }
    }

    /// What happened.
    public let kind: Kind
    /// The call that failed.
    public let operation: GoogleOperation
    /// Google's `error` value when Google answered with a recognised one.
    public let googleError: GoogleErrorCode?
    /// The HTTP status when an answer was received.
    public let httpStatus: Int?
    /// Whether the request reached Google: decides if a code may be presented again.
    public let delivery: GoogleDelivery
    /// What went wrong, in Google's terms.
    public let problem: GoogleProblem
    /// Retry, back off, or give up (what ``problem`` implies).
    public var errorClass: GoogleErrorClass { problem.errorClass }
    /// Which ID-token check failed, for ``Kind/idTokenInvalid``.
    public let idTokenCheck: GoogleIDTokenCheck?
    /// For ``Kind/invalidConfiguration``: what to fix (never a secret).
    public let configurationProblem: String?

    init(
        _ kind: Kind,
        operation: GoogleOperation,
        googleError: GoogleErrorCode? = nil,
        httpStatus: Int? = nil,
        delivery: GoogleDelivery,
        problem: GoogleProblem,
        idTokenCheck: GoogleIDTokenCheck? = nil,
        configurationProblem: String? = nil
    ) {
        self.kind = kind
        self.operation = operation
        self.googleError = googleError
        self.httpStatus = httpStatus
        self.delivery = delivery
        self.problem = problem
        self.idTokenCheck = idTokenCheck
        self.configurationProblem = configurationProblem
    }

    /// A configuration the client refuses (nothing was sent).
    static func invalidConfiguration(_ problem: String, operation: GoogleOperation = .configuration) -> Self {
        Self(.invalidConfiguration, operation: operation, delivery: .notSent, problem: .clientMisconfigured, configurationProblem: problem)
    }

    /// An ID token that failed `check`.
    static func idToken(_ check: GoogleIDTokenCheck) -> Self {
        Self(.idTokenInvalid, operation: .verifyIDToken, delivery: .responded, problem: .idTokenInvalid, idTokenCheck: check)
    }

    /// A network failure.
    static func transport(_ kind: Kind, operation: GoogleOperation, delivery: GoogleDelivery) -> Self {
        Self(kind, operation: operation, delivery: delivery, problem: .unavailable)
    }

    /// An answer that is not what the endpoint returns: classified by its status (see
    /// ``answer(operation:status:googleError:recognised:)``), of unknown outcome.
    static func unexpected(operation: GoogleOperation, status: Int) -> Self {
        answer(operation: operation, status: status, googleError: nil, recognised: false)
    }

    /// An error answer from Google or whatever stood in front of it. Google's `error` decides
    /// when known; otherwise the status: 5xx and 408 retryable, 429 rate limited, 3xx a
    /// configuration error (redirects are never followed), other 4xx terminal. 2xx bodies that
    /// cannot be read are retryable with an unknown outcome.
    static func answer(operation: GoogleOperation, status: Int, googleError: GoogleErrorCode?, recognised: Bool) -> Self {
        let problem: GoogleProblem
        if let known = googleError?.problem {
            problem = known
        } else if status >= 500 || status == 408 || (200..<300).contains(status) {
            problem = .unavailable
        } else if status == 429 {
            problem = .rateLimited
        } else if (300..<400).contains(status) {
            problem = .clientMisconfigured
        } else {
            problem = .requestRefused
        }
        return Self(
            recognised ? .googleError : .unexpectedResponse,
            operation: operation,
            googleError: googleError,
            httpStatus: status,
            delivery: recognised ? .responded : .unknown,
            problem: problem
        )
    }

    public var description: String {
        var parts = ["Google \(operation.rawValue) failed: \(kind)"]
        if let googleError { parts.append("error \(googleError)") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let idTokenCheck { parts.append("check \(idTokenCheck.rawValue)") }
        if let configurationProblem { parts.append(configurationProblem) }
        parts.append("problem \(problem), class \(errorClass.rawValue), delivery \(delivery.rawValue)")
        return parts.joined(separator: ", ")
    }
}
