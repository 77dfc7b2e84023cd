import Histogram
import NIOCore

/// What a load run measured.
struct LoadResult: Sendable {
    var succeeded = 0
    var failed = 0
    /// Latency of each request, microseconds.
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    /// Answer bodies, in no particular order (only when asked to keep them).
    var bodies: [ByteBuffer] = []
    var seconds = 0.0

    var perSecond: Double { seconds > 0 ? Double(succeeded + failed) / seconds : 0 }

    /// The latency at `percentile` (0–100), milliseconds.
    func milliseconds(atPercentile percentile: Double) -> Double {
        Double(latency.valueAtPercentile(percentile)) / 1000
    }

    mutating func merge(_ other: LoadResult) {
        succeeded += other.succeeded
        failed += other.failed
        latency.add(other.latency)
        bodies += other.bodies
    }
}
