import Accounts
import Foundation
import Postgres

/// A session made by ``Sessions/create(userID:provider:loginJobID:on:)``, with its first
/// refresh token.
struct NewSession: Sendable {
    let sessionID: UUID
    let refreshToken: String
    /// When the family ends (database clock).
    let expiresAt: Date
}

extension Sessions {
    /// The library's session creation expressions as a statement of their own on `connection`
    /// (the API writes the same expressions into the statement that delivers a login).
    func create(userID: UUID, provider: String, loginJobID: Int64?, on connection: PostgresConnection) async throws -> NewSession {
        let pending = prepare()
        let source = SQLTable("source")
        let creation = pending.creation(
            userID: source.column("user_id"),
            provider: source.column("provider"),
            loginJobID: source.column("login_job_id"),
            when: source,
            session: SQLTable("session"),
            refreshToken: SQLTable("refresh_token")
        )
        let row = try await connection.query(
            """
            WITH \(source) AS (SELECT \(userID)::uuid AS user_id, \(provider)::text AS provider, \(loginJobID)::bigint AS login_job_id),
                 \(creation.expressions)
            SELECT \(creation.sessionID) AS session_id, expires_at FROM \(creation.created)
            """
        ).single()
        return NewSession(
            sessionID: try row.decode(UUID.self, "session_id"),
            refreshToken: pending.refreshToken,
            expiresAt: try row.decode(Date.self, "expires_at")
        )
    }
}
