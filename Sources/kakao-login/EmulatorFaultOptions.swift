import ArgumentParser
import EmulatorSupport

/// The fault flags both providers take.
struct EmulatorFaultOptions: ParsableArguments {
    @Option(help: "Fault: added latency in milliseconds.")
    var latencyMs: Int?

    @Option(help: "Fault: up to this many more milliseconds, uniformly drawn.")
    var jitterMs: Int?

    @Option(help: "Fault: share of answers that are retryable server errors: 5xx, KOE003, -9798, internal_failure (0…1).")
    var errorRate: Double?

    @Option(help: "Fault: share of requests accepted and never answered (0…1).")
    var timeoutRate: Double?

    @Option(help: "Fault: share of requests whose work is done, then the connection dropped (0…1).")
    var dropRate: Double?

    @Option(help: "Fault: share of answers that are quota errors: -10, KOE237, Google's 429 page (0…1).")
    var quotaRate: Double?

    /// `faults` with the flags given on top.
    func applied(to faults: EmulatorFaults) -> EmulatorFaults {
        var faults = faults
        if let latencyMs { faults.latencyMs = latencyMs }
        if let jitterMs { faults.jitterMs = jitterMs }
        if let errorRate { faults.errorRate = errorRate }
        if let timeoutRate { faults.timeoutRate = timeoutRate }
        if let dropRate { faults.dropRate = dropRate }
        if let quotaRate { faults.quotaRate = quotaRate }
        return faults
    }
}
