import Foundation

/// What `bench queue` prints: each run and the medians, as text or one JSON object.
public struct QueueReport: Sendable {
    let results: [QueueRunResult]
    let configuration: QueueBenchmark.Configuration

    public init(results: [QueueRunResult], configuration: QueueBenchmark.Configuration) {
        self.results = results
        self.configuration = configuration
    }

    private func median(_ figure: (QueueRunResult) -> Double) -> Double {
        BenchStatistics.median(results.map(figure)) ?? 0
    }

    /// A table, one line per run, then the medians.
    public var text: String {
        var lines = [
            "bench queue: \(configuration.jobs) jobs, \(configuration.enqueueClients) enqueue clients, worker --concurrency \(configuration.concurrency)"
        ]
        for (index, result) in results.enumerated() { lines.append("  run \(index + 1): \(result.line)") }
        lines.append(
            "  median: enqueue \(BenchText.fixed(median(\.enqueueJobsPerSecond), 0)) jobs/s, "
                + "burn-down \(BenchText.fixed(median(\.burnDownJobsPerSecond), 0)) jobs/s, "
                + "\(BenchText.fixed(median(\.enqueueCommitsPerJob) + median(\.burnDownCommitsPerJob))) commits/job"
        )
        return lines.joined(separator: "\n")
    }

    /// One object: the medians under the names `scripts/bench-queue-peers` reads, and each run.
    public var json: String {
        struct Summary: Encodable {
            let system = "kakao-login"
            let jobs: Int
            let enqueueClients: Int
            let concurrency: Int
            let enqueueJobsPerSecond: Double
            let burnDownJobsPerSecond: Double
            let commitsPerJob: Double
            let failed: Int
            let runs: [QueueRunResult]

            enum CodingKeys: String, CodingKey {
                case system, jobs, concurrency, failed, runs
                case enqueueClients = "enqueue_clients"
                case enqueueJobsPerSecond = "enqueue_jobs_per_s"
                case burnDownJobsPerSecond = "burn_down_jobs_per_s"
                case commitsPerJob = "commits_per_job"
            }
        }
        let summary = Summary(
            jobs: configuration.jobs,
            enqueueClients: configuration.enqueueClients,
            concurrency: configuration.concurrency,
            enqueueJobsPerSecond: median(\.enqueueJobsPerSecond),
            burnDownJobsPerSecond: median(\.burnDownJobsPerSecond),
            commitsPerJob: median(\.enqueueCommitsPerJob) + median(\.burnDownCommitsPerJob),
            failed: results.map(\.failed).reduce(0, +),
            runs: results
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(summary)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
