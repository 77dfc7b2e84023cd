import CoreMetrics
import NIOConcurrencyHelpers

/// The module's swift-metrics instruments, created once per pool (creating one goes through
/// the factory's lock; recording does not).
///
/// | label | kind | meaning |
/// | --- | --- | --- |
/// | `db.query.duration` | timer | one statement, from submission to result |
/// | `db.query.errors` | counter, `db.error.code` | failed statements by ``PostgresError/Code`` |
/// | `db.pool.wait` | timer | time to get a connection from the pool |
/// | `db.pool.timeouts` | counter | acquisitions that hit the acquire timeout |
/// | `db.pool.leased` | gauge | connections lent out now |
/// | `db.pool.connections` | gauge | connections open or opening now |
/// | `db.pool.waiters` | gauge | tasks waiting for a connection now |
/// | `db.connection.failures` | counter | connection attempts that failed |
///
/// Every instrument carries the pool's name as `db.pool` (low cardinality by construction).
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
        let dimensions = [("db.pool", poolName)]
        self.dimensions = dimensions
        self.factory = factory
        let factory = factory ?? MetricsSystem.factory
        queryDuration = Timer(label: "db.query.duration", dimensions: dimensions, factory: factory)
        poolWait = Timer(label: "db.pool.wait", dimensions: dimensions, factory: factory)
        poolTimeouts = Counter(label: "db.pool.timeouts", dimensions: dimensions, factory: factory)
        leased = Gauge(label: "db.pool.leased", dimensions: dimensions, factory: factory)
        connections = Gauge(label: "db.pool.connections", dimensions: dimensions, factory: factory)
        waiters = Gauge(label: "db.pool.waiters", dimensions: dimensions, factory: factory)
        connectionFailures = Counter(label: "db.connection.failures", dimensions: dimensions, factory: factory)
    }

    func queryErrors(_ code: PostgresError.Code) -> Counter {
        let key = code.description
        return errorCounters.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "db.query.errors",
                dimensions: dimensions + [("db.error.code", key)],
                factory: factory ?? MetricsSystem.factory
            )
            counters[key] = counter
            return counter
        }
    }
}
