import Accounts
import Foundation
import Postgres

/// A session made by ``Sessions/create(userID:provider:loginJobID:on:)``, with its first
/// refresh token.
struct NewSession: Sendable {
    let sessionID: UUID
    let token: SessionToken
    /// When the family ends (database clock).
    let expiresAt: Date

    var refreshToken: String { token.refreshToken }
}

extension Sessions {
    /// The library's session creation expressions as a statement of their own on `connection`
    /// (the API splices the same expressions into the statement that delivers a login).
    func create(userID: UUID, provider: String, loginJobID: Int64?, on connection: PostgresConnection) async throws -> NewSession {
        let token = SessionToken()
        let expressions = creationExpressions(
            token,
            userID: "\(userID)",
            provider: provider,
            loginJobID: "\(loginJobID)",
            for: "(VALUES (1)) AS once (one)"
        )
        let row = try await connection.query("WITH \(expressions) SELECT session_id, expires_at FROM refresh_token").single()
        return NewSession(
            sessionID: try row.decode(UUID.self, "session_id"),
            token: token,
            expiresAt: try row.decode(Date.self, "expires_at")
        )
    }
}
