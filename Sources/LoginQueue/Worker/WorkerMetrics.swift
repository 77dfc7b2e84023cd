import Metrics

/// The worker's metrics (swift-metrics; exported as Prometheus text by the executable).
/// Dimensions are low-cardinality: outcomes, failure codes, provider error codes, operations.
struct WorkerMetrics: Sendable {
    private let inFlight: Gauge
    private let queueWait: Metrics.Timer
    private let lostLeases: Counter
    private let jobs = MetricHandles<[String], Counter> { key in
        Counter(label: "login_jobs_total", dimensions: [("outcome", key[0]), ("failure_code", key[1]), ("provider_error", key[2])])
    }
    private let providerCalls = MetricHandles<[String], Metrics.Timer> { key in
        Metrics.Timer(
            label: "login_provider_call_duration_seconds",
            dimensions: [("operation", key[0]), ("outcome", key[1])],
            preferredDisplayUnit: .seconds
        )
    }

    init() {
        inFlight = Gauge(label: "login_worker_jobs_in_flight")
        queueWait = Metrics.Timer(label: "login_queue_wait_seconds", preferredDisplayUnit: .seconds)
        lostLeases = Counter(label: "login_worker_lost_leases_total")
    }

    func jobsInFlight(_ count: Int) { inFlight.record(count) }

    func queueWait(_ duration: Duration) { queueWait.recordNanoseconds(duration.nanoseconds) }

    func leaseLost() { lostLeases.increment() }

    /// A job's attempt ended: `outcome` is succeeded, failed, retry or released.
    func jobEnded(outcome: String, failureCode: String?, providerError: String?) {
        jobs[[outcome, failureCode ?? "", providerError ?? ""]].increment()
    }

    /// A call to the provider: `operation` is exchange or profile; `outcome` ok or the error class.
    func providerCall(_ operation: String, outcome: String, duration: Duration) {
        providerCalls[[operation, outcome]].recordNanoseconds(duration.nanoseconds)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
