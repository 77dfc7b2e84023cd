import Foundation

/// One row of `bench db`'s table: at one K, the median of each side and the median of the paired
/// ratios. Each run is ours then pgbench's, back to back: the ratio within a pair is less exposed
/// to other work on a shared machine than the ratio of the two medians.
struct PoolSummaryRow: Equatable {
    let k: Int
    /// Median iterations/s through kakao-login's pool.
    let ours: Double
    /// Median iterations/s of pgbench; nil when it did not run.
    let pgbench: Double?
    /// Median of ours/pgbench over the pairs; nil when pgbench did not run.
    let pairedRatio: Double?

    /// From each run's iterations/s; `pgbench` is empty when it did not run.
    init(k: Int, ours: [Double], pgbench: [Double]) {
        self.k = k
        self.ours = BenchStatistics.median(ours) ?? 0
        self.pgbench = BenchStatistics.median(pgbench)
        self.pairedRatio = BenchStatistics.median(zip(ours, pgbench).map { $0 / $1 })
    }

    /// The row as printed: K, both medians, the ratio of the medians and the median paired ratio.
    var line: String {
        guard let pgbench, let pairedRatio else { return String(format: "%4d  %12.1f", k, ours) + "            -     -" }
        return String(format: "%4d  %12.1f %12.1f   %15.1f%%   %22.1f%%", k, ours, pgbench, 100 * ours / pgbench, 100 * pairedRatio)
    }
}
