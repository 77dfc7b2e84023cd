import Postgres

extension APILoginJobs {
    /// How many jobs are queued, counting at most `limit + 1` (a flood costs a bounded scan):
    /// the API refuses new logins above its limit (`503 queue_full`).
    public func queuedDepth(limit: Int) async throws(LoginQueueError) -> Int {
        let rows = try await LoginQueueError.database(logger, "queue_depth") {
            try await pool.query(
                "SELECT count(*) AS depth FROM (SELECT 1 FROM login_jobs WHERE state = 'queued' LIMIT \(limit + 1)) AS q"
            )
        }
        return (try? rows.first?.decode(Int.self, "depth")) ?? 0
    }
}
