import Postgres

/// The statements `bench queue` runs besides the queue's own: the guard against a database in
/// use, emptying the login tables between runs, progress, and the run's outcome by the
/// database's clock.
struct QueueBenchTables: Sendable {
    let pool: PostgresPool

    /// How a burn-down ended.
    struct Outcome: Sendable {
        var succeeded: Int
        var failed: Int
        /// From the first claim to the last completion, by the database's clock.
        var seconds: Double
    }

    /// Refuses a database holding logins, identities or attempts that are not the bench's own.
    func refuseForeignRows() async throws {
        let provider = NoOpLoginProvider.providerName
        let row = try await pool.query(
            """
            SELECT EXISTS (SELECT 1 FROM login_jobs WHERE provider <> \(provider))
                OR EXISTS (SELECT 1 FROM user_identities WHERE provider <> \(provider))
                OR EXISTS (SELECT 1 FROM login_attempts) AS in_use
            """
        ).single()
        if try row.decode(Bool.self, "in_use") {
            throw BenchFailure("bench queue empties the login tables: give it a database of its own (scripts/bench-queue-peers makes one)")
        }
    }

    /// Empties the tables a run fills, so that every run starts from the same state.
    ///
    /// No ANALYZE afterwards: TRUNCATE leaves the tables "never analyzed", which the planner
    /// sizes at 10 pages or more, as a deployment's tables that hold rows. An ANALYZE of the empty
    /// tables told it they stay empty: the enqueue's generic plan, made on the first statements,
    /// then looked codes up by a sequential scan of login_jobs for the whole run (no autoanalyze
    /// comes within a few seconds), and the enqueue rate swung between 1,800 and 6,400 jobs/s from
    /// run to run.
    func empty() async throws {
        try await pool.execute("TRUNCATE login_jobs, login_attempts, users, auth_events CASCADE")
    }

    /// Whether any job has not ended. Two probes of the partial indexes on queued and running
    /// jobs, not a count: polled while the worker burns down, a count scanned the whole table
    /// every 20 ms (2 ms each at 20,000 jobs, 7% of PostgreSQL's time in the burn-down).
    func hasOpenJobs() async throws -> Bool {
        try await pool.query(
            """
            SELECT EXISTS (SELECT 1 FROM login_jobs WHERE state = 'queued')
                OR EXISTS (SELECT 1 FROM login_jobs WHERE state = 'running') AS open
            """
        ).single().decode(Bool.self, "open")
    }

    /// The burn-down's figures.
    func outcome() async throws -> Outcome {
        let row = try await pool.query(
            """
            SELECT count(*) FILTER (WHERE state = 'succeeded')::int8 AS succeeded,
                   count(*) FILTER (WHERE state = 'failed')::int8 AS failed,
                   coalesce(extract(epoch FROM max(finished_at) - min(started_at)), 0)::float8 AS seconds
            FROM login_jobs
            """
        ).single()
        return Outcome(
            succeeded: try row.decode(Int.self, "succeeded"),
            failed: try row.decode(Int.self, "failed"),
            seconds: try row.decode(Double.self, "seconds")
        )
    }

    /// The first transaction id not yet assigned (see `bench logins`): two readings' difference
    /// is the number of write transactions in between.
    func nextTransactionID() async throws -> Int64 {
        try await pool.query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax").single().decode(Int64.self, "xmax")
    }
}
