import Foundation
import Logging
import Postgres

/// Sessions and their rotating refresh tokens. A session is one refresh-token family: it is
/// created by a delivered login, lives at most ``SessionConfiguration/familyLifetime``, and is
/// revoked as a whole by logout or by the reuse of a rotated token.
///
/// ```swift
/// let sessions = Sessions(pool: pool, configuration: try SessionConfiguration(derivationKey: key), logger: logger)
/// // first read of a succeeded login: in the statement that reads and delivers it
/// let token = SessionToken()
/// let query: SQLQuery = "WITH undelivered AS (…), \(sessions.creationExpressions(token, …, for: "undelivered")), …"
/// // POST /auth/token/refresh
/// let refreshed = try await sessions.refresh(body.refreshToken)
/// let access = try await keys.sign(userID: refreshed.userID, sessionID: refreshed.sessionID)
/// // POST /auth/logout
/// try await sessions.logout(refreshToken: body.refreshToken)
/// // GET /me
/// let user = try await sessions.activeUser(for: try await keys.verify(bearer))
/// ```
///
/// Refresh tokens are stored only as SHA-256 hashes. Every decision about a family is taken
/// while holding its session row's lock (`SELECT … FOR NO KEY UPDATE`), and every write takes
/// the session row before any token row, so concurrent refreshes, reuse and logout serialise
/// without deadlocks. Times are the database's (`now()`). Refused tokens are
/// ``AccountsError``s; database failures surface as `PostgresError`.
public struct Sessions: Sendable {
    /// Lifetimes, grace window and derivation key.
    public let configuration: SessionConfiguration
    let pool: PostgresPool
    let logger: Logger

    /// - Parameter logger: receives `authn_token_reuse` (warning) and `authn_session_revoked`
    ///   (info) events with `session.id` and `user.id`, never a token.
    public init(pool: PostgresPool, configuration: SessionConfiguration, logger: Logger) {
        self.pool = pool
        self.configuration = configuration
        self.logger = logger
    }

    /// Creates a session and its first refresh token, `token`, as two common table expressions
    /// for the caller's statement (the API delivers a login in the statement that reads it):
    /// `session` (`id`, `expires_at`) and `refresh_token` (`session_id`, `expires_at`). Nothing
    /// is written unless `source` — a table expression of the caller — yields a row; the caller
    /// must give one that yields at most one.
    ///
    /// - Parameters:
    ///   - userID, loginJobID: SQL expressions over `source` (or bound values); `loginJobID` is
    ///     the `login_jobs.id` that produced the session, for operators.
    ///   - provider: the provider the user logged in with (`sessions.provider`).
    public func creationExpressions(
        _ token: SessionToken,
        userID: SQLFragment,
        provider: String,
        loginJobID: SQLFragment,
        for source: SQLFragment
    ) -> SQLFragment {
        """
        session AS (
            INSERT INTO sessions (user_id, provider, login_job_id, expires_at)
            SELECT \(userID), \(provider), \(loginJobID), now() + make_interval(secs => \(configuration.familyLifetime.totalSeconds))
            FROM \(source)
            RETURNING id, expires_at
        ), refresh_token AS (
            INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
            SELECT session.id, \(token.hash), session.expires_at FROM session
            RETURNING session_id, expires_at
        )
        """
    }

    /// The user behind a verified access token, for `GET /me`: its session must exist, belong
    /// to the token's user, be unrevoked and unexpired.
    ///
    /// - Parameter claims: claims returned by ``AccessTokenKeys/verify(_:)``.
    /// - Throws: ``AccountsError/Code/sessionRevoked``, ``AccountsError/Code/sessionExpired``, or
    ///   ``AccountsError/Code/invalidAccessToken`` when the session or user is unknown.
    public func activeUser(for claims: AccessTokenClaims) async throws -> UserRecord {
        guard let userID = claims.userID, let sessionID = claims.sessionID else {
            throw AccountsError(.invalidAccessToken)
        }
        let rows = try await pool.query(
            """
            SELECT s.revoked_at IS NOT NULL AS session_revoked, s.expires_at <= now() AS session_expired,
                   \(UserRecord.columns(of: "u"))
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = \(sessionID) AND s.user_id = \(userID)
            """
        )
        guard let row = rows.first else { throw AccountsError(.invalidAccessToken) }
        if try row.decode(Bool.self, "session_revoked") { throw AccountsError(.sessionRevoked) }
        if try row.decode(Bool.self, "session_expired") { throw AccountsError(.sessionExpired) }
        return try UserRecord(row: row)
    }
}
