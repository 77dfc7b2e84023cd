import Foundation
import Postgres

/// Reads the audit trail. The events themselves are written by triggers on the rows that change
/// (`sql/migrations/0015_auth_events.sql`), in the change's own transaction; nothing here writes.
public struct AuditTrail: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// One user's events, oldest first (`sql/ops/user_timeline.sql` is the same query).
    public func timeline(userID: UUID) async throws -> [AuthEvent] {
        let rows = try await pool.query(
            """
            SELECT occurred_at, event, provider, detail, session_id, login_id, client_network, request_id
            FROM auth_timeline WHERE user_id = \(userID)
            ORDER BY occurred_at, id
            """
        )
        return try rows.map(AuthEvent.init(row:))
    }
}
