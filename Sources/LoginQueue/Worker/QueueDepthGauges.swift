import Metrics
import Postgres

/// The queue's depth as gauges, from one cheap statement (each half scans only the rows of a
/// partial index's state): `login_queue_jobs{state}` (how many) and `login_queue_oldest_job_age_seconds{state}`
/// (how long the oldest has existed; 0 when none). Every worker samples it, so alert on `max`.
struct QueueDepthGauges: Sendable {
    private let jobs = MetricHandles<[String], Gauge> { key in Gauge(label: "login_queue_jobs", dimensions: [("state", key[0])]) }
    private let oldest = MetricHandles<[String], Gauge> { key in
        Gauge(label: "login_queue_oldest_job_age_seconds", dimensions: [("state", key[0])])
    }

    func sample(pool: PostgresPool) async throws {
        let rows = try await pool.query(
            """
            SELECT 'queued' AS state, count(*) AS jobs, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest
            FROM login_jobs WHERE state = 'queued'
            UNION ALL
            SELECT 'running', count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
            FROM login_jobs WHERE state = 'running'
            """
        )
        for row in rows {
            let state = try row.decode(String.self, "state")
            jobs[[state]].record(try row.decode(Int.self, "jobs"))
            oldest[[state]].record(try row.decode(Double.self, "oldest"))
        }
    }
}
