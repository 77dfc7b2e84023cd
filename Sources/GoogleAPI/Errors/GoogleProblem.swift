/// Whether a request reached Google: what decides if an authorization code may be presented again.
public enum GoogleDelivery: String, Sendable, Hashable {
    /// Certainly not sent (connect failure, no connection from the pool, invalid configuration).
    case notSent = "not_sent"
    /// Google (or a proxy in front of it) answered, and the answer was read.
    case responded
    /// Sent, outcome unknown: read timeout, connection dropped after sending, unreadable answer.
    case unknown
}

/// What a caller should do about an error.
public enum GoogleErrorClass: String, Sendable, Hashable {
    /// Try again with backoff: network errors, timeouts, 5xx, `internal_failure`.
    case retryable
    /// Back off for minutes: HTTP 429, `rate_limit_exceeded`.
    case rateLimited = "rate_limited"
    /// Do not try again; see ``GoogleAPIError/problem``.
    case terminal
}

/// The Google call that failed.
public enum GoogleOperation: String, Sendable, Hashable {
    case discovery
    case exchangeCode = "exchange_code"
    case refresh
    case userInfo = "user_info"
    case jwks
    case verifyIDToken = "verify_id_token"
    case revoke
    case configuration
}

/// What went wrong with a Google call, in Google's terms: what Google's answer (or its absence)
/// says, not what a caller makes of it. The login queue maps each problem to the failure code its
/// frontend sees; this client knows nothing of those codes.
public enum GoogleProblem: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Google refused the authorization code or refresh token (`invalid_grant`): expired, unknown,
    /// already redeemed, a wrong or missing `code_verifier`, a revoked refresh token.
    case grantRejected = "grant_rejected"
    /// The `redirect_uri` is not the authorization request's (`redirect_uri_mismatch`).
    case redirectURIMismatch = "redirect_uri_mismatch"
    /// The OAuth client at Google or this client's configuration: `invalid_client` (unknown
    /// client, wrong secret), `unauthorized_client`, `deleted_client`, `invalid_scope`, a redirect
    /// answered, a discovery document for another issuer.
    case clientMisconfigured = "client_misconfigured"
    /// The Google account may not use this app: `admin_policy_enforced`, `org_internal`,
    /// `access_not_configured`, `access_denied`, a disabled account.
    case accountRestricted = "account_restricted"
    /// Google's rate limit (HTTP 429, `rate_limit_exceeded`): back off for minutes.
    case rateLimited = "rate_limited"
    /// Google did not answer usefully: no connection, a timeout, a 5xx or a proxy's page, an
    /// unreadable 2xx, `internal_failure`. Worth retrying.
    case unavailable
    /// The ID token failed a check (see ``GoogleAPIError/idTokenCheck``).
    case idTokenInvalid = "id_token_invalid"
    /// Google called the request malformed (`invalid_request`, `unsupported_grant_type`, …) or
    /// answered with a 4xx this client does not know.
    case requestRefused = "request_refused"

    /// Whether and how to try again.
    public var errorClass: GoogleErrorClass {
        switch self {
        case .unavailable: .retryable
        case .rateLimited: .rateLimited
        case .grantRejected, .redirectURIMismatch, .clientMisconfigured, .accountRestricted, .idTokenInvalid, .requestRefused: .terminal
        }
    }

    public var description: String { rawValue }
}

/// The ID-token check that failed.
public enum GoogleIDTokenCheck: String, Sendable, Hashable {
    /// Not a JWT: three base64url segments with JSON header and payload, `iat` and `exp` numbers.
    case malformed
    /// `alg` is not RS256.
    case algorithm
    /// No key of the JWKS (fetched again when allowed) has the token's `kid`.
    case unknownKey = "unknown_key"
    /// The signature does not verify.
    case signature
    /// `iss` is not one of the accepted issuers.
    case issuer
    /// `aud` does not name this client.
    case audience
    /// `azp` names another client, or is missing beside several audiences.
    case authorizedParty = "authorized_party"
    /// `exp` has passed (allowing the clock skew).
    case expired
    /// `iat` is later than now (allowing the clock skew).
    case issuedInFuture = "issued_in_future"
    /// `nonce` is not the one sent to authorize.
    case nonce
    /// `sub` is missing or empty.
    case subject
}
