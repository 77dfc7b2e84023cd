import Testing

@testable import Benchmarks

/// `bench db`'s table: medians of each side and of the paired ratios.
@Suite("bench db summary")
struct PoolSummaryTests {
    @Test func medianOfOddAndEvenCounts() {
        #expect(BenchStatistics.median([]) == nil)
        #expect(BenchStatistics.median([7]) == 7)
        #expect(BenchStatistics.median([3, 1, 2]) == 2)
        #expect(BenchStatistics.median([4, 1, 3, 2]) == 2.5)
    }

    @Test func rowsCompareMediansAndPairs() {
        let row = PoolSummaryRow(k: 8, ours: [90, 80, 100], pgbench: [100, 100, 200])
        #expect(row.ours == 90)
        #expect(row.pgbench == 100)
        // Pairs: 0.9, 0.8, 0.5; their median is not the ratio of the medians.
        #expect(row.pairedRatio == 0.8)
        #expect(row.line == "   8          90.0        100.0              90.0%                     80.0%")
    }

    @Test func rowsWithoutPgbenchShowDashes() {
        let row = PoolSummaryRow(k: 32, ours: [1000.25, 2000], pgbench: [])
        #expect(row.pgbench == nil)
        #expect(row.pairedRatio == nil)
        #expect(row.line == "  32        1500.1            -     -")
    }
}
