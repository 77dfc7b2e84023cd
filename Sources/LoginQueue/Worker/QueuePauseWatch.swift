import Logging
import Metrics
import Postgres
import Synchronization

/// What the worker knows of the operators' pauses (`queue_pauses`), read about once a poll
/// interval: the claim statement itself skips paused providers, this is for `/readyz`, the
/// `login_queue_paused{provider}` gauge and a log line when a pause begins or ends.
public final class QueuePauseWatch: Sendable {
    // Guarded by the Mutex: the watch loop writes, readiness handlers read.
    private let paused = Mutex<Set<String>>([])
    private let gauges = MetricHandles<[String], Gauge> { key in Gauge(label: "login_queue_paused", dimensions: [("provider", key[0])]) }

    public init() {
        gauges[["*"]].record(0)  // the family exists before any pause, for dashboards and alerts
    }

    /// The paused providers (`*`: all), sorted.
    public var providers: [String] { paused.withLock { $0.sorted() } }

    /// Reads the pauses once; logs and updates the gauges when they changed.
    func refresh(pool: PostgresPool, logger: Logger) async throws {
        let now = Set(try await pool.query("SELECT provider FROM queue_pauses").map { try $0.decode(String.self, "provider") })
        let before = paused.withLock { current in
            defer { current = now }
            return current
        }
        for provider in now.subtracting(before).sorted() {
            gauges[[provider]].record(1)
            logger.notice("login.worker.paused", metadata: ["queue.provider": "\(provider)"])
        }
        for provider in before.subtracting(now).sorted() {
            gauges[[provider]].record(0)
            logger.notice("login.worker.resumed", metadata: ["queue.provider": "\(provider)"])
        }
    }
}
