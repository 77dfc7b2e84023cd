import KakaoAPI

/// The one place where Kakao's errors become the queue's: each mapping is a `switch` the
/// compiler checks, so a new Kakao problem, class or delivery cannot fall through to a default.
extension KakaoLoginProvider {
    /// Kakao's error in the queue's terms. Kakao's text is not in a `KakaoAPIError` at all; the
    /// provider error is its code (`KOE320`, `-401`), else the HTTP status, the failed ID-token
    /// check, or the transport kind.
    /// - Throws: `CancellationError` when the call was cancelled (shutdown), not a provider error.
    static func providerError(_ error: KakaoAPIError) throws -> LoginProviderError {
        if error.kind == .cancelled || Task.isCancelled { throw CancellationError() }
        let providerError =
            error.kakaoCode?.rawValue ?? error.httpStatus.map { "http_\($0)" }
            ?? error.idTokenCheck.map { "id_token_\($0.rawValue)" } ?? error.kind.description
        return LoginProviderError(
            retryClass: retryClass(error.errorClass),
            delivery: delivery(error.delivery),
            failureCode: failureCode(error.problem),
            providerError: providerError,
            rejectsCode: error.operation == .exchangeCode && error.problem == .grantRejected,
            grantUnprocessed: error.delivery == .responded && error.errorClass != .terminal
        )
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
