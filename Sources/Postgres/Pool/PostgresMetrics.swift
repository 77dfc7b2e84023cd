import CoreMetrics
import NIOConcurrencyHelpers

/// The module's swift-metrics instruments, created once per pool (creating one goes through
/// the factory's lock; recording does not).
///
/// Names follow Prometheus conventions (`_total` counters, `_seconds` timers):
///
/// | label | kind | meaning |
/// | --- | --- | --- |
/// | `db_query_duration_seconds` | timer | one statement, from submission to result |
/// | `db_query_errors_total` | counter, `code` | failed statements by ``PostgresError/Code`` |
/// | `db_pool_wait_seconds` | timer | time to get a connection from the pool |
/// | `db_pool_timeouts_total` | counter | acquisitions that hit the acquire timeout |
/// | `db_pool_connections_leased` | gauge | connections lent out now |
/// | `db_pool_connections_open` | gauge | connections open or opening now |
/// | `db_pool_waiters` | gauge | tasks waiting for a connection now |
/// | `db_connection_failures_total` | counter | connection attempts that failed |
/// | `db_group_commit_batch_size` | histogram, `group` | statements per batch of a ``GroupCommit`` |
/// | `db_group_commit_fallbacks_total` | counter, `group` | batches sent again one statement per transaction |
///
/// Every instrument carries the pool's name as `pool` (low cardinality by construction).
final class PostgresMetrics: Sendable {
    let queryDuration: Timer
    let poolWait: Timer
    let poolTimeouts: Counter
    let leased: Gauge
    let connections: Gauge
    let waiters: Gauge
    let connectionFailures: Counter
    private let dimensions: [(String, String)]
    private let factory: (any MetricsFactory)?
    private let errorCounters = NIOLockedValueBox([String: Counter]())

    init(factory: (any MetricsFactory)?, poolName: String = "default") {
        let dimensions = [("pool", poolName)]
        self.dimensions = dimensions
        self.factory = factory
        let factory = factory ?? MetricsSystem.factory
        queryDuration = Timer(label: "db_query_duration_seconds", dimensions: dimensions, factory: factory)
        poolWait = Timer(label: "db_pool_wait_seconds", dimensions: dimensions, factory: factory)
        poolTimeouts = Counter(label: "db_pool_timeouts_total", dimensions: dimensions, factory: factory)
        leased = Gauge(label: "db_pool_connections_leased", dimensions: dimensions, factory: factory)
        connections = Gauge(label: "db_pool_connections_open", dimensions: dimensions, factory: factory)
        waiters = Gauge(label: "db_pool_waiters", dimensions: dimensions, factory: factory)
        connectionFailures = Counter(label: "db_connection_failures_total", dimensions: dimensions, factory: factory)
    }

    func queryErrors(_ code: PostgresError.Code) -> Counter {
        let key = code.description
        return errorCounters.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "db_query_errors_total",
                dimensions: dimensions + [("code", key)],
                factory: factory ?? MetricsSystem.factory
            )
            counters[key] = counter
            return counter
        }
    }
}
