/// A provider call that failed, classified for the queue. Carries the provider's error code
/// (`KOE320`, `-401`, `timeout`…) but never the provider's text, a code or a token.
public struct LoginProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the queue does next.
    public enum RetryClass: String, Sendable, Codable {
        /// Try again after a backoff, within the deadline.
        case retryable
        /// Try again after a longer backoff, within the deadline.
        case rateLimited = "rate_limited"
        /// Fail the job now with ``LoginProviderError/failureCode``.
        case terminal
    }

    /// Whether the request may have reached the provider.
    public enum Delivery: String, Sendable, Codable {
        /// Certainly not sent (the connection was never made).
        case notSent = "not_sent"
        /// Sent; its outcome is unknown (timeout, connection lost).
        case unknown
        /// The provider answered.
        case responded
    }

    public var retryClass: RetryClass
    public var delivery: Delivery
    /// The failure reason when the job fails because of this error.
    public var failureCode: LoginFailureCode
    /// The provider's error code, or a short transport label (`timeout`, `connect`, `http_503`).
    public var providerError: String?
    /// The provider rejected the authorization code itself (Kakao's KOE320): terminal, and
    /// `exchange_interrupted` instead of ``failureCode`` when an earlier presentation may have
    /// consumed it.
    public var rejectsCode: Bool
    /// For ``LoginFailureCode/consentRequired``: the consent items the provider says are
    /// missing (Kakao's `required_scopes`), for the frontend to ask for; scope ids only.
    public var requiredScopes: [String]?

    public init(
        retryClass: RetryClass,
        delivery: Delivery,
        failureCode: LoginFailureCode,
        providerError: String?,
        rejectsCode: Bool = false,
        requiredScopes: [String]? = nil
    ) {
        self.retryClass = retryClass
        self.delivery = delivery
        self.failureCode = failureCode
        self.providerError = providerError
        self.rejectsCode = rejectsCode
        self.requiredScopes = requiredScopes
    }

    /// A provider client's error in the queue's terms, as every provider's mapping
    /// (`…LoginProvider+Errors.swift`) makes it: a cancelled call is a shutdown, not a provider
    /// error; the provider error is the provider's own code, else the HTTP status, the failed
    /// ID-token check, or the transport kind (never the provider's text).
    /// - Throws: `CancellationError` when the call was cancelled.
    static func mapped(
        cancelled: Bool,
        retryClass: RetryClass,
        delivery: Delivery,
        failureCode: LoginFailureCode,
        code: String?,
        httpStatus: Int?,
        idTokenCheck: String?,
        kind: String,
        rejectsCode: Bool,
        requiredScopes: [String]? = nil
    ) throws -> LoginProviderError {
        if cancelled || Task.isCancelled { throw CancellationError() }
        return LoginProviderError(
            retryClass: retryClass,
            delivery: delivery,
            failureCode: failureCode,
            providerError: code ?? httpStatus.map { "http_\($0)" } ?? idTokenCheck.map { "id_token_\($0)" } ?? kind,
            rejectsCode: rejectsCode,
            requiredScopes: requiredScopes
        )
    }

    public var description: String {
        "provider error \(providerError ?? "unknown") (\(retryClass.rawValue), \(delivery.rawValue)) → \(failureCode.rawValue)"
    }
}
