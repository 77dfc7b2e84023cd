import Metrics
import Prometheus
import Synchronization

/// Bootstraps swift-metrics once per process with a Prometheus registry, whose text the
/// process serves at `/metrics`. Dotted labels (`db.query.duration`) become Prometheus names
/// (`db_query_duration`).
enum MetricsBootstrap {
    private static let registry = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The process's registry, bootstrapping the metrics system on the first call.
    static func prometheus() -> PrometheusCollectorRegistry {
        registry.withLock { registry in
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: created)
            factory.nameAndLabelSanitizer = { name, labels in
                (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
            }
            MetricsSystem.bootstrap(factory)
            registry = created
            return created
        }
    }

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
