import Metrics
import Prometheus
import Synchronization

/// Bootstraps swift-metrics once per process with a Prometheus registry, whose text the
/// process serves at `/metrics` (``exposition()``). Dotted labels become Prometheus names
/// (`a.b` → `a_b`). Histograms get buckets fit for what they time.
enum MetricsBootstrap {
    private static let state = Mutex<(registry: PrometheusCollectorRegistry, process: ProcessMetrics)?>(nil)

    /// Timer buckets by metric: sub-millisecond statements, long-polls up to 30 seconds.
    static let buckets: [String: [Duration]] = [
        "db_query_duration_seconds": milliseconds([0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, 5000]),
        "db_pool_wait_seconds": milliseconds([0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50, 100, 500, 1000, 5000]),
        "login_api_request_duration_seconds": milliseconds([1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 30000]),
        "login_api_poll_duration_seconds": milliseconds([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 20000, 25000, 30000]),
        "login_provider_call_duration_seconds": milliseconds([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 15000]),
        "login_queue_wait_seconds": milliseconds([1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 10000, 30000, 60000, 120000]),
    ]

    /// Bootstraps the metrics system, once per process; later calls do nothing.
    static func bootstrap() { _ = bootstrapped() }

    /// The `/metrics` text: the process metrics read now, then everything registered.
    static func exposition() -> String {
        let (registry, process) = bootstrapped()
        process.update()
        return registry.emitToString()
    }

    private static func bootstrapped() -> (registry: PrometheusCollectorRegistry, process: ProcessMetrics) {
        state.withLock { state in
            if let state { return state }
            let created = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: created)
            factory.nameAndLabelSanitizer = { name, labels in
                (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
            }
            factory.durationHistogramBuckets = buckets
            factory.valueHistogramBuckets = ["db_group_commit_batch_size": [1, 2, 4, 8, 16, 32, 64]]
            MetricsSystem.bootstrap(factory)
            let made = (created, ProcessMetrics(registry: created))
            state = made
            return made
        }
    }

    private static func milliseconds(_ values: [Double]) -> [Duration] { values.map { .microseconds(Int64($0 * 1000)) } }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`: every other character becomes `_` (a valid name, the usual
    /// case, is returned as it is).
    private static func prometheusName(_ name: String) -> String {
        let valid = name.utf8.enumerated().allSatisfy { index, byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
                || (index > 0 && byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        if valid { return name }
        return String(
            name.unicodeScalars.enumerated().map { index, scalar -> Character in
                let isLetter = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_" || scalar == ":"
                let isDigit = scalar >= "0" && scalar <= "9"
                return isLetter || (isDigit && index > 0) ? Character(scalar) : "_"
            }
        )
    }
}
