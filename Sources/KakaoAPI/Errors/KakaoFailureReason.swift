/// The failure reasons of DESIGN.md that a Kakao call can end in: the stable strings the
/// frontend branches on (`error.code` of a failed login). The queue decides
/// `exchange_interrupted`, `login_expired` and `canceled` itself; they are not Kakao outcomes.
public enum KakaoFailureReason: String, Sendable, Hashable, CaseIterable {
    /// KOE320 (and KOE322 on refresh): the code or grant is expired, unknown or already used.
    case authorizationCodeInvalid = "authorization_code_invalid"
    /// KOE303, KOE006.
    case redirectURIMismatch = "redirect_uri_mismatch"
    /// KOE010, KOE101, KOE114, KOE009, KOE205, -401 and other app-setting errors.
    case kakaoClientMisconfigured = "kakao_client_misconfigured"
    /// -402: a required consent item is missing.
    case consentRequired = "consent_required"
    /// -4, -101, -103, -405, -406: the account cannot log in to this app.
    case kakaoAccountRestricted = "kakao_account_restricted"
    /// The ID token's signature, `iss`, `aud`, `exp` or `nonce` failed.
    case idTokenInvalid = "id_token_invalid"
    /// KOE237 or -10 (for a rate-limited error, the reason to report once retries run out).
    case kakaoRateLimited = "kakao_rate_limited"
    /// Retryable errors (for a retryable error, the reason to report once retries run out).
    case kakaoUnavailable = "kakao_unavailable"
    /// Anything else: a request Kakao calls malformed, an unknown 4xx.
    case internalError = "internal_error"
}
