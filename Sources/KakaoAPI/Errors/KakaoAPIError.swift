/// Whether a request reached Kakao: what decides if an authorization code may be presented again.
public enum KakaoDelivery: String, Sendable, Hashable {
    /// Certainly not sent (connect failure, no connection from the pool, invalid configuration).
    case notSent = "not_sent"
    /// Kakao (or a proxy in front of it) answered, and the answer was read.
    case responded
    /// Sent, outcome unknown: read timeout, connection dropped after sending, unreadable answer.
    case unknown
}

/// What a caller should do about an error.
public enum KakaoErrorClass: String, Sendable, Hashable {
    /// Try again with backoff: network errors, timeouts, 5xx, KOE003, -1, -7, -603, -9798.
    case retryable
    /// Back off for minutes: KOE237, -10.
    case rateLimited = "rate_limited"
    /// Do not try again; see ``KakaoAPIError/problem``.
    case terminal
}

/// The Kakao call that failed.
public enum KakaoOperation: String, Sendable, Hashable {
    case exchangeCode = "exchange_code"
    case refresh
    case userMe = "user_me"
    case accessTokenInfo = "access_token_info"
    case logout
    case unlink
    case jwks
    case verifyIDToken = "verify_id_token"
    case configuration
}

/// The one error of ``KakaoClient``. It carries Kakao's code and the HTTP status when there
/// were any, whether the request reached Kakao, and what the problem is in Kakao's terms (with
/// the retry class it implies).
/// Kakao's error text is never kept: `description` holds no code, token, secret or Kakao text.
public struct KakaoAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What happened, as a stable code.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case kakaoError = "kakao_error"
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

        /// Kakao answered with its error body; see ``KakaoAPIError/kakaoCode``.
        public static let kakaoError = Kind(.kakaoError)
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
        /// The ID token failed verification; see ``KakaoAPIError/idTokenCheck``.
        public static let idTokenInvalid = Kind(.idTokenInvalid)
        /// The client configuration is not usable (bad URL, no admin key for unlink, …).
        public static let invalidConfiguration = Kind(.invalidConfiguration)

        public var description: String { value.rawValue }
    }

    /// The ID-token check that failed.
    public enum IDTokenCheck: String, Sendable, Hashable {
        case malformed
        case algorithm
        case unknownKey = "unknown_key"
        case signature
        case issuer
        case audience
        case expired
        case nonce
        case subject
    }

    /// What happened.
    public let kind: Kind
    /// The call that failed.
    public let operation: KakaoOperation
    /// Kakao's code (`KOE320`, `-401`, …) when Kakao answered with one.
    public let kakaoCode: KakaoErrorCode?
    /// The HTTP status when an answer was received.
    public let httpStatus: Int?
    /// Whether the request reached Kakao: decides if a code may be presented again.
    public let delivery: KakaoDelivery
    /// What went wrong, in Kakao's terms.
    public let problem: KakaoProblem
    /// Retry, back off, or give up (what ``problem`` implies).
    public var errorClass: KakaoErrorClass { problem.errorClass }
    /// Which ID-token check failed, for ``Kind/idTokenInvalid``.
    public let idTokenCheck: IDTokenCheck?
    /// For ``Kind/invalidConfiguration``: what to fix (never a secret).
    public let configurationProblem: String?
    /// For -402 (``KakaoProblem/consentMissing``): the consent items Kakao says are missing
    /// (`required_scopes`), to ask for with the authorize request's `scope`. Only well-formed
    /// scope ids are kept (`a-z`, `0-9`, `_`, at most 64 characters, at most 32 of them).
    public let requiredScopes: [String]?

    init(
        _ kind: Kind,
        operation: KakaoOperation,
        kakaoCode: KakaoErrorCode? = nil,
        httpStatus: Int? = nil,
        delivery: KakaoDelivery,
        problem: KakaoProblem,
        idTokenCheck: IDTokenCheck? = nil,
        configurationProblem: String? = nil,
        requiredScopes: [String]? = nil
    ) {
        self.kind = kind
        self.operation = operation
        self.kakaoCode = kakaoCode
        self.httpStatus = httpStatus
        self.delivery = delivery
        self.problem = problem
        self.idTokenCheck = idTokenCheck
        self.configurationProblem = configurationProblem
        self.requiredScopes = requiredScopes
    }

    /// A configuration the client refuses.
    static func invalidConfiguration(_ problem: String, operation: KakaoOperation = .configuration) -> Self {
        Self(
            .invalidConfiguration,
            operation: operation,
            delivery: .notSent,
            problem: .appMisconfigured,
            configurationProblem: problem
        )
    }

    /// An ID token that failed `check`.
    static func idToken(_ check: IDTokenCheck) -> Self {
        Self(
            .idTokenInvalid,
            operation: .verifyIDToken,
            delivery: .responded,
            problem: .idTokenInvalid,
            idTokenCheck: check
        )
    }

    /// A network failure.
    static func transport(_ kind: Kind, operation: KakaoOperation, delivery: KakaoDelivery) -> Self {
        Self(kind, operation: operation, delivery: delivery, problem: .unavailable)
    }

    /// An error answer from Kakao or whatever stood in front of it. Kakao's code decides when
    /// known; otherwise the status: 5xx and 408 retryable, 429 rate limited, 3xx a configuration
    /// error (redirects are never followed), other 4xx terminal. 2xx bodies that cannot be read
    /// are retryable with an unknown outcome. `requiredScopes` is kept only with -402.
    static func answer(
        operation: KakaoOperation,
        status: Int,
        kakaoCode: KakaoErrorCode?,
        recognised: Bool,
        requiredScopes: [String]? = nil
    ) -> Self {
        let problem: KakaoProblem
        if let known = kakaoCode?.problem {
            problem = known
        } else if status >= 500 || status == 408 || (200..<300).contains(status) {
            problem = .unavailable
        } else if status == 429 {
            problem = .rateLimited
        } else if (300..<400).contains(status) {
            problem = .appMisconfigured
        } else {
            problem = .requestRefused
        }
        return Self(
            recognised ? .kakaoError : .unexpectedResponse,
            operation: operation,
            kakaoCode: kakaoCode,
            httpStatus: status,
            delivery: recognised ? .responded : .unknown,
            problem: problem,
            requiredScopes: problem == .consentMissing ? requiredScopes.map(Self.scopeIDs) : nil
        )
    }

    /// The well-formed scope ids of Kakao's list, each once, in Kakao's order.
    private static func scopeIDs(_ names: [String]) -> [String] {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_".utf8)
        var kept: [String] = []
        for name in names where kept.count < 32 && !kept.contains(name) && (1...64).contains(name.utf8.count) {
            if name.utf8.allSatisfy(allowed.contains) { kept.append(name) }
        }
        return kept
    }

    public var description: String {
        var parts = ["Kakao \(operation.rawValue) failed: \(kind)"]
        if let kakaoCode { parts.append("code \(kakaoCode)") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let idTokenCheck { parts.append("check \(idTokenCheck.rawValue)") }
        if let configurationProblem { parts.append(configurationProblem) }
        if let requiredScopes { parts.append("required scopes \(requiredScopes.joined(separator: " "))") }
        parts.append("problem \(problem), class \(errorClass.rawValue), delivery \(delivery.rawValue)")
        return parts.joined(separator: ", ")
    }
}
