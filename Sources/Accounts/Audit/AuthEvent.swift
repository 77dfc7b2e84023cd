import Foundation
import Postgres

/// One row of the audit trail (`auth_timeline`): what happened to an account, when, and through
/// which provider, session or job. Never a token, code or email.
public struct AuthEvent: Sendable, Equatable {
    public let occurredAt: Date
    /// `login_succeeded`, `logout`, `account_deleted`, … (see `sql/migrations/0015_auth_events.sql`).
    public let event: String
    public let provider: String?
    /// `key=value` pairs: a reason, a failure code, who unlinked.
    public let detail: String
    public let sessionID: UUID?
    /// The login or deletion job behind the event.
    public let loginID: UUID?
    /// The client's IPv4 /24 or IPv6 /48.
    public let clientNetwork: String?
    /// The API request that made the change (`X-Request-Id`); nil for workers and psql.
    public let requestID: String?

    init(row: PostgresRow) throws {
        occurredAt = try row.decode(Date.self, "occurred_at")
        event = try row.decode(String.self, "event")
        provider = try row.decode(String?.self, "provider")
        detail = try row.decode(String.self, "detail")
        sessionID = try row.decode(UUID?.self, "session_id")
        loginID = try row.decode(UUID?.self, "login_id")
        clientNetwork = try row.decode(String?.self, "client_network")
        requestID = try row.decode(String?.self, "request_id")
    }
}
