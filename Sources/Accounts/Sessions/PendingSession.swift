import Foundation
import Postgres

/// A session about to be created inside the caller's statement, its first refresh token
/// already minted: the caller holds the token's text while only its hash reaches the database.
/// Made by ``Sessions/prepare()``; the session it creates gets its tokens from
/// ``Sessions/tokens(sessionID:userID:refreshToken:)``.
public struct PendingSession: Sendable, CustomStringConvertible {
    let token: RefreshToken
    let familyLifetime: Duration
    /// The client that will receive the tokens.
    public let device: SessionDevice

    /// The first refresh token's text, for the client (and, sealed, for re-delivery).
    public var refreshToken: String { token.text }

    /// Creates the session and its first refresh token as two table expressions for the
    /// caller's statement (the API delivers a login in the statement that reads it), named
    /// `session` and `refreshToken` by the caller. Nothing is written unless `source` — a table
    /// expression of the caller — yields a row; it must yield at most one.
    ///
    /// - Parameters:
    ///   - userID: whose session it is; `provider`: the provider the user logged in with
    ///     (`sessions.provider`); `loginJobID`: the `login_jobs.id` that produced it, for
    ///     operators. All three are columns of `source` (or of a table expression before it).
    public func creation(
        userID: SQLColumn<UUID>,
        provider: SQLColumn<String>,
        loginJobID: SQLColumn<Int64>,
        when source: SQLTable,
        session: SQLTable,
        refreshToken: SQLTable
    ) -> SessionCreation {
        let sessionID = session.column("id", as: UUID.self)
        let sessionExpiry = session.column("expires_at", as: Date.self)
        let expressions: SQLFragment = """
            \(session) AS (
                \(Self.sessionInsert)
                SELECT \(userID), \(provider), \(loginJobID), now() + make_interval(secs => \(familyLifetime.totalSeconds)),
                       \(device.userAgentFamily), \(device.clientNetwork)
                FROM \(source)
                RETURNING id, expires_at
            ), \(refreshToken) AS (
                \(Self.refreshTokenInsert)
                SELECT \(sessionID), \(token.hash), \(sessionExpiry) FROM \(session)
                RETURNING session_id, expires_at
            )
            """
        return SessionCreation(expressions: expressions, created: refreshToken, sessionID: refreshToken.column("session_id"))
    }

    /// The SHA-256 of the first refresh token, as `refresh_tokens.token_hash` keeps it.
    public var tokenHash: [UInt8] { token.hash }

    /// The columns a session is created with, here and in ``Sessions/creationEach(_:session:refreshToken:)``.
    static let sessionInsert: SQLFragment = """
        INSERT INTO sessions (user_id, provider, login_job_id, expires_at, user_agent_family, client_network)
        """
    /// The columns a first refresh token is created with.
    static let refreshTokenInsert: SQLFragment = "INSERT INTO refresh_tokens (session_id, token_hash, expires_at)"

    public var description: String { "PendingSession(…)" }
}
