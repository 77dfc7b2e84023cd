import Postgres

extension PostgresConnection {
    /// Whether another session waits for a lock that this connection's transaction holds.
    ///
    /// It reads `pg_locks` and `pg_blocking_pids`, which are live. `pg_stat_activity` would not
    /// do here: inside a transaction it is a snapshot taken at its first read, so a session that
    /// connected after that read (a pool's new connection, on a busy host) never shows up in it.
    func blocksAnotherSession() async throws -> Bool {
        !(try await query("SELECT 1 FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))").isEmpty)
    }
}
