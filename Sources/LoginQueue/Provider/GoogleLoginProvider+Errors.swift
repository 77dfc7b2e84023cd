import GoogleAPI

/// The one place where Google's errors become the queue's: each mapping is a `switch` the
/// compiler checks, so a new Google problem, class or delivery cannot fall through to a default.
extension GoogleLoginProvider {
    /// Google's error in the queue's terms. Google's `error_description` is not in a
    /// `GoogleAPIError` at all; the provider error is Google's `error` value (`invalid_grant`),
    /// else the HTTP status, the failed ID-token check, or the transport kind.
    /// - Throws: `CancellationError` when the call was cancelled (shutdown), not a provider error.
    static func providerError(_ error: GoogleAPIError) throws -> LoginProviderError {
        try .mapped(
            cancelled: error.kind == .cancelled,
            retryClass: retryClass(error.errorClass),
            delivery: delivery(error.delivery),
            failureCode: failureCode(error.problem),
            code: error.googleError?.rawValue,
            httpStatus: error.httpStatus,
            idTokenCheck: error.idTokenCheck?.rawValue,
            kind: error.kind.description,
            rejectsCode: error.operation == .exchangeCode && error.problem == .grantRejected
        )
    }

    /// The failure code a login ends with because of `problem` (for retryable problems: once
    /// retries run out).
    static func failureCode(_ problem: GoogleProblem) -> LoginFailureCode {
        switch problem {
        case .grantRejected: .authorizationCodeInvalid
        case .redirectURIMismatch: .redirectURIMismatch
        case .clientMisconfigured: .googleClientMisconfigured
        case .accountRestricted: .googleAccountRestricted
        case .rateLimited: .googleRateLimited
        case .unavailable: .googleUnavailable
        case .idTokenInvalid: .idTokenInvalid
        case .requestRefused: .internalError
        }
    }

    static func retryClass(_ errorClass: GoogleErrorClass) -> LoginProviderError.RetryClass {
        switch errorClass {
        case .retryable: .retryable
        case .rateLimited: .rateLimited
        case .terminal: .terminal
        }
    }

    static func delivery(_ delivery: GoogleDelivery) -> LoginProviderError.Delivery {
        switch delivery {
        case .notSent: .notSent
        case .unknown: .unknown
        case .responded: .responded
        }
    }
}
