import KakaoAPI

/// The one place where Kakao's errors become the queue's: each mapping is a `switch` the
/// compiler checks, so a new Kakao problem, class or delivery cannot fall through to a default.
extension KakaoLoginProvider {
    /// Kakao's error in the queue's terms. Kakao's text is not in a `KakaoAPIError` at all; the
    /// provider error is its code (`KOE320`, `-401`), else the HTTP status, the failed ID-token
    /// check, or the transport kind. A -402 keeps Kakao's `required_scopes`.
    /// - Throws: `CancellationError` when the call was cancelled (shutdown), not a provider error.
    static func providerError(_ error: KakaoAPIError) throws -> LoginProviderError {
        try .mapped(
            cancelled: error.kind == .cancelled,
            retryClass: retryClass(error.errorClass),
            delivery: delivery(error.delivery),
            failureCode: failureCode(error.problem),
            code: error.kakaoCode?.rawValue,
            httpStatus: error.httpStatus,
            idTokenCheck: error.idTokenCheck?.rawValue,
            kind: error.kind.description,
            rejectsCode: error.operation == .exchangeCode && error.problem == .grantRejected,
            requiredScopes: error.requiredScopes
        )
    }

    /// Kakao's error about a native app's token: -401 (and -2, a token Kakao cannot even read)
    /// says the posted token is invalid, expired or revoked — the app must log in with Kakao
    /// again — where a code login's fresh token would point at the app's settings.
    /// - Throws: `CancellationError` when the call was cancelled (shutdown).
    static func appTokenError(_ error: KakaoAPIError) throws -> LoginProviderError {
        var mapped = try providerError(error)
        if error.kakaoCode == .invalidToken || error.kakaoCode?.rawValue == "-2" {
            mapped.retryClass = .terminal
            mapped.failureCode = .kakaoTokenInvalid
        }
        return mapped
    }

    /// The failure code a login ends with because of `problem` (for retryable problems: once
    /// retries run out).
    static func failureCode(_ problem: KakaoProblem) -> LoginFailureCode {
        switch problem {
        case .grantRejected: .authorizationCodeInvalid
        case .redirectURIMismatch: .redirectURIMismatch
        case .appMisconfigured: .kakaoClientMisconfigured
        case .consentMissing: .consentRequired
        case .accountRestricted: .kakaoAccountRestricted
        case .rateLimited: .kakaoRateLimited
        case .unavailable: .kakaoUnavailable
        case .idTokenInvalid: .idTokenInvalid
        case .requestRefused: .internalError
        }
    }

    static func retryClass(_ errorClass: KakaoErrorClass) -> LoginProviderError.RetryClass {
        switch errorClass {
        case .retryable: .retryable
        case .rateLimited: .rateLimited
        case .terminal: .terminal
        }
    }

    static func delivery(_ delivery: KakaoDelivery) -> LoginProviderError.Delivery {
        switch delivery {
        case .notSent: .notSent
        case .unknown: .unknown
        case .responded: .responded
        }
    }
}
