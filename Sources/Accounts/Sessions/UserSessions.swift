import Foundation
import Logging
import Postgres

/// A user's sessions as the user and operators see them: list them, and revoke one or all.
/// (Issuing, refreshing and logging out one session by its refresh token is ``Sessions``'.)
///
/// Every revocation takes the session rows before their tokens, as ``Sessions`` does, so it
/// serialises with concurrent refreshes without deadlocks; a revoked session's access tokens are
/// refused at once (``Sessions/activeUser(for:)`` reads the session) and its refresh family is dead:
/// ``Sessions`` checks `sessions.revoked_at` before any refresh. (A child token that a refresh
/// racing the revocation committed may keep `refresh_tokens.revoked_at` empty, since the
/// statement's snapshot predates it; it is refused all the same. `sessions.revoked_at` is the one
/// that counts.)
public struct UserSessions: Sendable {
    let pool: PostgresPool
    let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Whether `userID` names a user.
    public func userExists(_ userID: UUID) async throws -> Bool {
        try await pool.query("SELECT EXISTS (SELECT 1 FROM users WHERE id = \(userID)) AS known").single().decode(Bool.self, "known")
    }

    /// The user's sessions, newest first: active ones and those ended in the last 30 days.
    public func list(userID: UUID) async throws -> [SessionSummary] {
        let rows = try await pool.query(
            """
            SELECT id, provider, created_at, coalesce(refreshed_at, created_at) AS last_used_at, expires_at, revoked_at,
                   revoked_reason, user_agent_family, client_network
            FROM sessions
            WHERE user_id = \(userID) AND (revoked_at IS NULL OR revoked_at > now() - interval '30 days')
            ORDER BY created_at DESC
            """
        )
        return try rows.map(SessionSummary.init(row:))
    }

    /// The user's active sessions (unrevoked, unexpired), most recently used first: what
    /// `GET /me/sessions` lists.
    public func active(userID: UUID) async throws -> [SessionSummary] {
        let rows = try await pool.query(
            """
            SELECT id, provider, created_at, coalesce(refreshed_at, created_at) AS last_used_at, expires_at, revoked_at,
                   revoked_reason, user_agent_family, client_network
            FROM sessions
            WHERE user_id = \(userID) AND revoked_at IS NULL AND expires_at > now()
            ORDER BY last_used_at DESC, created_at DESC
            """
        )
        return try rows.map(SessionSummary.init(row:))
    }

    /// Revokes one active session of `userID` and its refresh family, in one statement.
    /// - Returns: false when `sessionID` is not an active session of this user (another user's,
    ///   unknown, or already ended): nothing changed.
    public func revoke(sessionID: UUID, userID: UUID, reason: SessionRevocationReason) async throws -> Bool {
        let revoked = try await revokeSessions(
            where: "id = \(sessionID) AND user_id = \(userID) AND expires_at > now()",
            userID: userID,
            reason: reason
        )
        return revoked > 0
    }

    /// Revokes every active session of `userID` and their refresh families, in one statement.
    /// - Returns: how many sessions it revoked (0 when none was active).
    @discardableResult
    public func revokeAll(userID: UUID, reason: SessionRevocationReason) async throws -> Int {
        try await revokeSessions(where: "user_id = \(userID)", userID: userID, reason: reason)
    }

    /// Revokes the unrevoked sessions of `userID` that `condition` selects, with their refresh
    /// tokens, in one statement; logs and returns how many.
    private func revokeSessions(where condition: SQLFragment, userID: UUID, reason: SessionRevocationReason) async throws -> Int {
        let revoked = SQLTable("revoked")
        let count = try await pool.query(
            """
            WITH \(SessionRevocation.expressions(revoked, where: condition, reason: reason))
            SELECT count(*) AS revoked FROM \(revoked)
            """
        ).single().decode(Int.self, "revoked")
        if count > 0 {
            logger.info(
                "authn_session_revoked",
                metadata: ["user.id": "\(userID.uuidString.lowercased())", "session.count": "\(count)", "reason": "\(reason.rawValue)"]
            )
        }
        return count
    }
}
