import Postgres

/// The API request a change is made for, as the audit trail records it (`auth_events.request_id`).
/// The API binds ``requestID`` for the task serving each request; the statements whose changes the
/// triggers record carry ``requestTag`` in their `WHERE` clause, which hands the id to the
/// triggers through a transaction-local setting (`kakao_login.request_id`).
public enum AuditContext {
    /// The `X-Request-Id` of the request this task serves; nil outside the API (a worker).
    @TaskLocal public static var requestID: String?

    /// A condition that is always true and, inside a request, records its id for the audit
    /// triggers of the same transaction: it is evaluated for every row the statement changes,
    /// before the triggers that run at the statement's end.
    public static var requestTag: SQLFragment {
        guard let requestID else { return "true" }
        return "set_config('kakao_login.request_id', \(requestID), true) IS NOT NULL"
    }
}
