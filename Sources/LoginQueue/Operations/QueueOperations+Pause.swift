import Foundation
import Postgres

extension QueueOperations {
    /// One pause of the queue (`queue_pauses`).
    public struct Pause: Sendable, Equatable {
        /// The paused provider as `login_jobs.provider` stores it, or `*` for every provider.
        public let provider: String
        public let pausedAt: Date
        public let pausedBy: String
        public let reason: String?
    }

    /// The provider names this service stores in `login_jobs.provider` (account deletions are
    /// `account`), which an operator may pause, and `*` for all of them.
    public static let pausableProviders = ["*", "kakao", "google", "kakao_emulator", "google_emulator", "account"]

    /// Pauses `provider` (``pausableProviders``): workers stop claiming its jobs within about a
    /// second; jobs already running finish.
    /// - Returns: the pause, and whether this call made it (false: it was paused already).
    public func pause(provider: String, reason: String?) async throws -> (pause: Pause, new: Bool) {
        let row = try await pool.query(
            """
            WITH paused AS (
                INSERT INTO queue_pauses (provider, reason) VALUES (\(provider), \(reason))
                ON CONFLICT (provider) DO NOTHING
                RETURNING provider, paused_at, paused_by, reason
            )
            SELECT *, true AS new FROM paused
            UNION ALL
            SELECT provider, paused_at, paused_by, reason, false AS new FROM queue_pauses
            WHERE provider = \(provider) AND NOT EXISTS (SELECT 1 FROM paused)
            """
        ).single()
        return (try Pause(row: row), try row.decode(Bool.self, "new"))
    }

    /// Lifts the pause of `provider`, or every pause when nil, and wakes the workers.
    /// - Returns: the pauses lifted (none when nothing was paused).
    public func resume(provider: String?) async throws -> [Pause] {
        let rows = try await pool.query(
            """
            WITH resumed AS (
                DELETE FROM queue_pauses WHERE \(provider)::text IS NULL OR provider = \(provider)
                RETURNING provider, paused_at, paused_by, reason
            ), woken AS (
                SELECT pg_notify(\(LoginNotifications.jobsChannel), '') WHERE EXISTS (SELECT 1 FROM resumed)
            )
            SELECT r.* FROM resumed r LEFT JOIN woken ON true ORDER BY r.provider
            """
        )
        return try rows.map(Pause.init(row:))
    }

    /// The pauses in force, by provider.
    public func pauses() async throws -> [Pause] {
        try await pool.query("SELECT provider, paused_at, paused_by, reason FROM queue_pauses ORDER BY provider").map(Pause.init(row:))
    }
}

extension QueueOperations.Pause {
    init(row: PostgresRow) throws {
        provider = try row.decode(String.self, "provider")
        pausedAt = try row.decode(Date.self, "paused_at")
        pausedBy = try row.decode(String.self, "paused_by")
        reason = try row.decode(String?.self, "reason")
    }
}
