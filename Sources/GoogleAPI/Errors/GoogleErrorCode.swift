/// Google's OAuth `error` value (`invalid_grant`, `redirect_uri_mismatch`, `invalid_client`, …).
/// Only values of a known list are kept, so nothing else of Google's body survives (its
/// `error_description` can echo input and is never kept).
public struct GoogleErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// `invalid_grant`, …
    public let rawValue: String

    /// Nil unless `rawValue` is a value Google is known to send.
    public init?(rawValue: String) {
        guard Self.problems.keys.contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// Codes callers branch on; anything else compares by ``rawValue``.
    public static let invalidGrant = GoogleErrorCode(rawValue: "invalid_grant")!
    public static let redirectURIMismatch = GoogleErrorCode(rawValue: "redirect_uri_mismatch")!
    public static let invalidClient = GoogleErrorCode(rawValue: "invalid_client")!
    public static let unauthorizedClient = GoogleErrorCode(rawValue: "unauthorized_client")!
    public static let invalidRequest = GoogleErrorCode(rawValue: "invalid_request")!
    public static let invalidToken = GoogleErrorCode(rawValue: "invalid_token")!
    public static let internalFailure = GoogleErrorCode(rawValue: "internal_failure")!
    public static let adminPolicyEnforced = GoogleErrorCode(rawValue: "admin_policy_enforced")!

    /// What this code says went wrong; nil where the HTTP status decides (`invalid_token`: the
    /// endpoint's meaning differs).
    var problem: GoogleProblem? { Self.problems[rawValue] ?? nil }

    /// Every recognised value and its problem (`nil`: classified by status).
    private static let problems: [String: GoogleProblem?] = [
        "invalid_grant": .grantRejected,
        "redirect_uri_mismatch": .redirectURIMismatch,
        "invalid_client": .clientMisconfigured, "unauthorized_client": .clientMisconfigured, "deleted_client": .clientMisconfigured,
        "invalid_scope": .clientMisconfigured, "disallowed_useragent": .clientMisconfigured,
        "admin_policy_enforced": .accountRestricted, "org_internal": .accountRestricted, "access_not_configured": .accountRestricted,
        "access_denied": .accountRestricted, "account_disabled": .accountRestricted, "user_disabled": .accountRestricted,
        "rate_limit_exceeded": .rateLimited, "slow_down": .rateLimited,
        "internal_failure": .unavailable, "server_error": .unavailable, "temporarily_unavailable": .unavailable,
        "invalid_request": .requestRefused, "unsupported_grant_type": .requestRefused, "unsupported_response_type": .requestRefused,
        "invalid_dpop_proof": .requestRefused, "use_dpop_nonce": .requestRefused, "interaction_required": .requestRefused,
        "login_required": .requestRefused, "consent_required": .requestRefused,
        "invalid_token": nil,
    ]
}
