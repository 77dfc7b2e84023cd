import Foundation
import Prometheus
import Synchronization

/// The process's own metrics, as Prometheus' client libraries name them, read from `/proc/self`
/// when `/metrics` is scraped: `process_resident_memory_bytes`, `process_cpu_seconds_total`,
/// `process_open_fds`, `process_max_fds`, `process_start_time_seconds`; and
/// `kakao_login_build_info{version}` (always 1). On a system without `/proc` they stay 0.
final class ProcessMetrics: Sendable {
    /// This build's version, as `build_info` and `--version` show it.
    static let version = "0.9.0"

    private let residentMemory: Gauge
    private let cpuSeconds: Counter
    private let openFDs: Gauge
    private let maxFDs: Gauge
    // Guarded by the Mutex: CPU time already added to the counter (scrapes may run at once).
    private let cpuCounted = Mutex<Double>(0)

    init(registry: PrometheusCollectorRegistry) {
        let name = { (base: String, unit: String, help: String) in MetricNameDescriptor(metricName: base, unitName: unit, helpText: help) }
        residentMemory = registry.makeGauge(descriptor: name("process_resident_memory", "bytes", "Resident memory size in bytes."))
        cpuSeconds = registry.makeCounter(descriptor: name("process_cpu_seconds", "total", "User and system CPU time spent in seconds."))
        openFDs = registry.makeGauge(descriptor: name("process_open", "fds", "Number of open file descriptors."))
        maxFDs = registry.makeGauge(descriptor: name("process_max", "fds", "Maximum number of open file descriptors."))
        let start = registry.makeGauge(
            descriptor: name("process_start_time", "seconds", "Start time of the process since the epoch, in seconds.")
        )
        start.set(to: Date().timeIntervalSince1970 - ProcessInfo.processInfo.systemUptime + Self.startTicks() / Self.ticksPerSecond)
        registry.makeGauge(
            descriptor: name("kakao_login_build", "info", "Always 1: the version as a label."),
            labels: [("version", Self.version)]
        )
        .set(to: 1)
    }

    /// Reads `/proc/self` into the gauges; call before emitting the registry.
    func update() {
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        {
            residentMemory.set(to: pages * pageSize)
        }
        if let fields = Self.statFields() {
            // utime and stime, in clock ticks (fields 14 and 15 of proc_pid_stat(5)).
            let total = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / Self.ticksPerSecond
            let delta = cpuCounted.withLock { counted in
                defer { counted = max(counted, total) }
                return max(0, total - counted)
            }
            if delta > 0 { cpuSeconds.increment(by: delta) }
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { openFDs.set(to: Double(fds.count)) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.set(to: Double(limit.rlim_cur)) }
    }

    /// The fields of `/proc/self/stat` after the command name (which may hold spaces): index 0
    /// is the state (field 3).
    private static func statFields() -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let end = stat.lastIndex(of: ")") else {
            return nil
        }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        return fields.count > 19 ? fields : nil
    }

    /// Process start, in clock ticks after boot (field 22).
    private static func startTicks() -> Double { statFields().flatMap { Double($0[19]) } ?? 0 }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
}
