/// What went wrong with a Kakao call, in Kakao's terms: what Kakao's answer (or its absence)
/// says, not what a caller makes of it. The login queue maps each problem to the failure code its
/// frontend sees, in one exhaustive `switch`; this client knows nothing of those codes.
public enum KakaoProblem: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Kakao refused the authorization code or refresh token: expired, unknown, or already used
    /// (KOE320; KOE322 on refresh).
    case grantRejected = "grant_rejected"
    /// The redirect URI is not the authorization request's, or not registered (KOE303, KOE006).
    case redirectURIMismatch = "redirect_uri_mismatch"
    /// The app's settings at Kakao or this client's configuration: keys, secret, Kakao Login
    /// switched off, a missing admin key, a redirect answered (KOE010, KOE101, KOE114, KOE009,
    /// KOE205, -401, …).
    case appMisconfigured = "app_misconfigured"
    /// A required consent item was not agreed to (-402).
    case consentMissing = "consent_missing"
    /// The Kakao account may not use this app: restricted, under age, or blocked (-4, -101, -103,
    /// -405, -406).
    case accountRestricted = "account_restricted"
    /// Kakao's rate limit or quota (KOE237, -10, HTTP 429): back off for minutes.
    case rateLimited = "rate_limited"
    /// Kakao did not answer usefully: no connection, a timeout, a 5xx or a proxy's page, or
    /// KOE003, -1, -7, -603, -9798. Worth retrying.
    case unavailable
    /// Kakao called the request malformed (KOE001, KOE310, KOE319, -2, …) or answered with a 4xx
    /// this client does not know.
    case requestRefused = "request_refused"
    /// The ID token failed a check (see ``KakaoAPIError/idTokenCheck``).
    case idTokenInvalid = "id_token_invalid"

    /// Whether and how to try again.
    public var errorClass: KakaoErrorClass {
        switch self {
        case .unavailable: .retryable
        case .rateLimited: .rateLimited
        case .grantRejected, .redirectURIMismatch, .appMisconfigured, .consentMissing, .accountRestricted, .requestRefused,
            .idTokenInvalid:
            .terminal
        }
    }

    public var description: String { rawValue }
}
