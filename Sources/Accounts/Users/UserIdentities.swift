import Foundation
import Logging
import Postgres

/// A user's provider identities as the user sees them (`GET /me/identities`), and unlinking one
/// (`DELETE /me/identities/{provider}`): never the last one, or the user could not log in again.
/// Linking happens through a login (``UserAccounts/upsert(_:when:linkingTo:identity:account:)``).
public struct UserIdentities: Sendable {
    /// What an unlink did.
    public enum Unlinked: Sendable, Equatable {
        /// The identity is unlinked (`unlinked_at` set); the user keeps the others.
        case unlinked
        /// The user has no linked identity of that provider.
        case notFound
        /// It is the user's only linked identity: nothing changed.
        case lastIdentity
    }

    let pool: PostgresPool
    let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// The user's linked identities, oldest link first.
    public func list(userID: UUID) async throws -> [IdentitySummary] {
        let rows = try await pool.query(
            """
            SELECT provider, email, email_verified, linked_at, last_login_at
            FROM user_identities WHERE user_id = \(userID) AND unlinked_at IS NULL
            ORDER BY linked_at, id
            """
        )
        return try rows.map(IdentitySummary.init(row:))
    }

    /// The provider says its user `subject` disconnected the app (Kakao's unlink callback): in one
    /// transaction the identity is marked unlinked by the provider (even the user's last one: the
    /// provider will no longer sign them in) and disconnected, and every active session of its
    /// user ends with its refresh tokens. Idempotent: an unknown identity, or one already
    /// disconnected, changes nothing; one its user had unlinked is only marked disconnected.
    /// - Returns: the identity's user, when this call unlinked it.
    public func unlinkedByProvider(provider: String, subject: String) async throws -> UUID? {
        let revoked = SQLTable("revoked")
        let row = try await pool.withTransaction { connection in
            // The identity row first: a login completing or delivering for it locks the same row,
            // so it either finished before (and its session is ended below) or sees the unlink.
            let unlinked = try await connection.query(
                """
                WITH target AS (
                    SELECT id, unlinked_at IS NULL AS was_linked FROM user_identities
                    WHERE provider = \(provider) AND subject = \(subject) AND (unlinked_at IS NULL OR provider_disconnected_at IS NULL)
                    FOR UPDATE
                ), unlinked AS (
                    UPDATE user_identities i
                    SET unlinked_at = coalesce(i.unlinked_at, now()), unlinked_by = coalesce(i.unlinked_by, 'provider'),
                        provider_disconnected_at = now(), provider_token_sealed = NULL, updated_at = now()
                    FROM target t WHERE i.id = t.id AND t.was_linked AND \(AuditContext.requestTag)
                    RETURNING i.user_id
                ), disconnected AS (
                    -- an identity its user had unlinked: the app is now disconnected at the provider too
                    UPDATE user_identities i SET provider_disconnected_at = now(), provider_token_sealed = NULL, updated_at = now()
                    FROM target t WHERE i.id = t.id AND NOT t.was_linked AND \(AuditContext.requestTag)
                )
                SELECT (SELECT user_id FROM unlinked) AS user_id
                """
            ).single()
            guard let userID = try unlinked.decode(UUID?.self, "user_id") else { return unlinked }
            // A second statement, so its snapshot includes a session a delivery committed while
            // the first waited for the identity row.
            return try await connection.query(
                """
                WITH \(SessionRevocation.expressions(revoked, where: "user_id = \(userID)", reason: .providerUnlinked))
                SELECT \(userID)::uuid AS user_id, (SELECT count(*) FROM \(revoked)) AS sessions
                """
            ).single()
        }
        guard let userID = try row.decode(UUID?.self, "user_id") else { return nil }
        let sessions = try row.decode(Int.self, "sessions")
        logger.info(
            "authn_identity_unlinked_by_provider",
            metadata: [
                "user.id": "\(userID.uuidString.lowercased())", "provider": "\(provider)",
                "session.count": "\(sessions)",
            ]
        )
        return userID
    }

    /// Unlinks the user's identity of `provider` (the stored name), unless it is their last:
    /// one statement that locks the user's linked identities first, so two unlinks at once cannot
    /// both leave the user with none.
    public func unlink(provider: String, userID: UUID) async throws -> Unlinked {
        let row = try await pool.query(
            """
            WITH linked AS (
                SELECT id, provider FROM user_identities WHERE user_id = \(userID) AND unlinked_at IS NULL
                ORDER BY id FOR UPDATE
            ), unlinked AS (
                UPDATE user_identities SET unlinked_at = now(), unlinked_by = 'user', updated_at = now()
                WHERE id IN (SELECT id FROM linked WHERE provider = \(provider)) AND (SELECT count(*) FROM linked) > 1
                  AND \(AuditContext.requestTag)
                RETURNING id
            )
            SELECT (SELECT count(*) FROM linked WHERE provider = \(provider)) AS found,
                   (SELECT count(*) FROM unlinked) AS unlinked
            """
        ).single()
        guard try row.decode(Int.self, "found") > 0 else { return .notFound }
        guard try row.decode(Int.self, "unlinked") > 0 else { return .lastIdentity }
        logger.info("authn_identity_unlinked", metadata: ["user.id": "\(userID.uuidString.lowercased())", "provider": "\(provider)"])
        return .unlinked
    }
}
