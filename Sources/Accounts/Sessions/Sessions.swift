import Foundation
import Logging
import Postgres

/// Sessions, their rotating refresh tokens and their access tokens: the one place where a
/// session is created, its tokens are issued, refreshed and revoked, and a Bearer token is turned
/// into the user it stands for. A session is one refresh-token family: it is created by a
/// delivered login, lives at most ``SessionConfiguration/familyLifetime``, and is revoked as a
/// whole by logout or by the reuse of a rotated token.
///
/// ```swift
/// let sessions = Sessions(pool: pool, configuration: try SessionConfiguration(derivationKey: key), accessTokens: keys, logger: logger)
/// // first read of a succeeded login: the session is created in the statement that delivers it
/// let pending = sessions.prepare()
/// let creation = pending.creation(userID: …, provider: …, loginJobID: …, when: undelivered, session: …, refreshToken: …)
/// // … after the statement:
/// let tokens = try await sessions.tokens(sessionID: id, userID: user, refreshToken: pending.refreshToken)
/// // POST /auth/token/refresh
/// let refreshed = try await sessions.refresh(body.refreshToken)
/// // POST /auth/logout
/// try await sessions.logout(refreshToken: body.refreshToken)
/// // GET /me
/// let user = try await sessions.user(authorizedBy: bearer)
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
    /// The keys that sign and verify access tokens (and publish the JWKS).
    public let accessTokens: AccessTokenKeys
    let pool: PostgresPool
    let logger: Logger

    /// - Parameter logger: receives `authn_token_reuse` (warning) and `authn_session_revoked`
    ///   (info) events with `session.id` and `user.id`, never a token.
    public init(pool: PostgresPool, configuration: SessionConfiguration, accessTokens: AccessTokenKeys, logger: Logger) {
        self.pool = pool
        self.configuration = configuration
        self.accessTokens = accessTokens
        self.logger = logger
    }

    /// A session to create inside the caller's statement, with its first refresh token minted,
    /// for the client `device` describes.
    public func prepare(device: SessionDevice = .unknown) -> PendingSession {
        PendingSession(token: .random(), familyLifetime: configuration.familyLifetime, device: device)
    }

    /// The tokens of a session: a freshly signed access token, and `refreshToken` (the first
    /// token of a session just created, or its re-delivery).
    public func tokens(sessionID: UUID, userID: UUID, refreshToken: String) async throws(AccountsError) -> IssuedTokens {
        let (accessToken, _) = try await accessTokens.sign(userID: userID, sessionID: sessionID)
        return IssuedTokens(
            sessionID: sessionID,
            userID: userID,
            accessToken: accessToken,
            expiresIn: Int(accessTokens.lifetime),
            refreshToken: refreshToken
        )
    }

    /// The user of `Authorization: Bearer <token>` for `GET /me`: the token must verify
    /// (``AccessTokenKeys/verify(_:)``) and its session be active (``activeUser(for:)``).
    public func user(authorizedBy bearerToken: String) async throws -> UserRecord {
        try await activeUser(for: try await accessTokens.verify(bearerToken))
    }

    /// As ``user(authorizedBy:)``, with the id of the token's session (`sid`): the session the
    /// request comes from, for `GET /me/sessions`' `current`.
    public func session(authorizedBy bearerToken: String) async throws -> (user: UserRecord, sessionID: UUID) {
        let claims = try await accessTokens.verify(bearerToken)
        let user = try await activeUser(for: claims)
        guard let sessionID = claims.sessionID else { throw AccountsError(.invalidAccessToken) }
        return (user, sessionID)
    }

    /// The user of `Authorization: Bearer <token>` for the deletion routes (`DELETE /me`,
    /// `GET /me/deletion/{id}`): as ``user(authorizedBy:)``, except that a session ended by its
    /// user's account deletion still counts, so the client that asked can learn the deletion's id
    /// again and follow it for the rest of its access token's life (at most 15 minutes).
    public func userID(authorizedForDeletionBy bearerToken: String) async throws -> UUID {
        let claims = try await accessTokens.verify(bearerToken)
        guard let userID = claims.userID, let sessionID = claims.sessionID else { throw AccountsError(.invalidAccessToken) }
        let rows = try await pool.query(
            """
            SELECT revoked_at IS NOT NULL AND revoked_reason <> \(SessionRevocationReason.userDeleted) AS session_revoked,
                   expires_at <= now() AS session_expired
            FROM sessions WHERE id = \(sessionID) AND user_id = \(userID)
            """
        )
        guard let row = rows.first else { throw AccountsError(.invalidAccessToken) }
        if try row.decode(Bool.self, "session_revoked") { throw AccountsError(.sessionRevoked) }
        if try row.decode(Bool.self, "session_expired") { throw AccountsError(.sessionExpired) }
        return userID
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
