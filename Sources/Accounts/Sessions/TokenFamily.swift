import Foundation
import Postgres

/// A session as seen by a refresh or a logout, read while holding its row lock.
struct TokenFamily: Sendable {
    let sessionID: UUID
    let userID: UUID
    let isRevoked: Bool
    let isExpired: Bool

    /// Locks the session the token belongs to (`FOR NO KEY UPDATE`) and reads it; nil for a
    /// token no session knows. Must run inside a transaction; concurrent callers on the same
    /// family wait here, so the statements that follow read what the previous holder committed.
    static func lock(owning token: RefreshToken, on connection: PostgresConnection) async throws -> TokenFamily? {
        let rows = try await connection.query(
            """
            SELECT s.id, s.user_id, s.revoked_at IS NOT NULL AS revoked, s.expires_at <= now() AS expired
            FROM sessions s
            WHERE s.id = (SELECT t.session_id FROM refresh_tokens t WHERE t.token_hash = \(token.hash))
            FOR NO KEY UPDATE
            """
        )
        guard let row = rows.first else { return nil }
        return TokenFamily(
            sessionID: try row.decode(UUID.self, "id"),
            userID: try row.decode(UUID.self, "user_id"),
            isRevoked: try row.decode(Bool.self, "revoked"),
            isExpired: try row.decode(Bool.self, "expired")
        )
    }

    /// Revokes the session and every token of it. The caller holds the session's lock.
    func revoke(reason: SessionRevocationReason, on connection: PostgresConnection) async throws {
        let revoked = SQLTable("revoked")
        _ = try await connection.query(
            """
            WITH \(SessionRevocation.expressions(revoked, where: "id = \(sessionID)", reason: reason))
            SELECT count(*) AS revoked FROM \(revoked)
            """
        )
    }
}
