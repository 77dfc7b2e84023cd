import Accounts
import Crypto
import Foundation
import Postgres
import TestSupport

/// A pool on the suite's database (cloned from the migrated template), the two services under
/// test, and helpers that read what the tests assert on.
struct AccountsFixture {
    let pool: PostgresPool
    let users = UserAccounts()
    let sessions: Sessions

    /// Runs `body` with a fresh pool on the database of `suite` (cloned from the migrated
    /// template once per run).
    static func run<Result: Sendable>(
        suite: String,
        connections: Int = 4,
        derivationKey: SymmetricKey = SymmetricKey(size: .bits256),
        _ body: (AccountsFixture) async throws -> Result
    ) async throws -> Result {
        let configuration = try await TestDatabase.shared.configuration(for: suite, fromTemplate: true)
        let sessionConfiguration = try SessionConfiguration(derivationKey: derivationKey)
        let accessTokens = try await AccessTokenKeysTests.keys([.init(kid: "k1")])
        return try await withPool(
            configuration,
            options: PostgresPool.Options(maximumConnections: connections, acquireTimeout: .seconds(30))
        ) { pool in
            try await body(
                AccountsFixture(
                    pool: pool,
                    sessions: Sessions(
                        pool: pool,
                        configuration: sessionConfiguration,
                        accessTokens: accessTokens,
                        logger: TestEnvironment.logger
                    )
                )
            )
        }
    }

    /// A Kakao-like subject no other test uses: the decimal text of a random 63-bit integer.
    static func freshSubject() -> String { String(Int64.random(in: 1...Int64.max)) }

    /// Upserts in its own transaction.
    func upsert(_ profile: ProviderProfile) async throws -> UpsertedUser {
        try await pool.withTransaction { connection in try await users.upsert(profile, on: connection) }
    }

    /// A new user with a new session.
    func newSession() async throws -> (user: UpsertedUser, session: NewSession) {
        let user = try await upsert(ProviderProfile(provider: "kakao", subject: Self.freshSubject(), nickname: "세션"))
        let session = try await pool.withTransaction { connection in
            try await sessions.create(userID: user.userID, provider: "kakao", loginJobID: 42, on: connection)
        }
        return (user, session)
    }

    /// Every row of one user in `users`, `user_identities`, `sessions` and `refresh_tokens`, as
    /// text: equal before and after a call that must write nothing.
    func snapshot(of userID: UUID) async throws -> String {
        try await pool.query(
            """
            SELECT concat_ws(' # ',
                (SELECT string_agg(u::text, ' | ') FROM users u WHERE u.id = \(userID)),
                (SELECT string_agg(i::text, ' | ' ORDER BY i.id) FROM user_identities i WHERE i.user_id = \(userID)),
                (SELECT string_agg(s::text, ' | ' ORDER BY s.id) FROM sessions s WHERE s.user_id = \(userID)),
                (SELECT string_agg(t::text, ' | ' ORDER BY t.id)
                   FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE s.user_id = \(userID))
            ) AS snapshot
            """
        ).single().decode(String.self, "snapshot")
    }

    /// `sessions.revoked_reason` (nil while the session is active).
    func revokedReason(of sessionID: UUID) async throws -> String? {
        try await pool.query("SELECT revoked_reason FROM sessions WHERE id = \(sessionID)").single()
            .decode(String?.self, "revoked_reason")
    }

    /// Moves a session and its tokens `seconds` into the past, as if that much time had passed.
    func age(session sessionID: UUID, bySeconds seconds: Double) async throws {
        try await pool.withTransaction { connection in
            let shift = "\(seconds) seconds"
            try await connection.execute(
                """
                UPDATE sessions SET created_at = created_at - \(shift)::interval, expires_at = expires_at - \(shift)::interval,
                                    refreshed_at = refreshed_at - \(shift)::interval
                WHERE id = \(sessionID)
                """
            )
            try await connection.execute(
                """
                UPDATE refresh_tokens SET created_at = created_at - \(shift)::interval, expires_at = expires_at - \(shift)::interval,
                                          rotated_at = rotated_at - \(shift)::interval
                WHERE session_id = \(sessionID)
                """
            )
        }
    }
}
