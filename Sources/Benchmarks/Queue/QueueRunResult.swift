/// One run of `bench queue`.
public struct QueueRunResult: Sendable, Codable {
    public var jobs: Int
    /// Jobs enqueued per second, one per transaction.
    public var enqueueJobsPerSecond: Double
    /// Jobs ended per second, from the first claim to the last completion.
    public var burnDownJobsPerSecond: Double
    /// Jobs that failed (a healthy run has none).
    public var failed: Int
    /// Write transactions per job while enqueueing, and while burning down.
    public var enqueueCommitsPerJob: Double
    public var burnDownCommitsPerJob: Double

    enum CodingKeys: String, CodingKey {
        case jobs
        case enqueueJobsPerSecond = "enqueue_jobs_per_s"
        case burnDownJobsPerSecond = "burn_down_jobs_per_s"
        case failed
        case enqueueCommitsPerJob = "enqueue_commits_per_job"
        case burnDownCommitsPerJob = "burn_down_commits_per_job"
    }

    /// The run as one line of text.
    var line: String {
        "enqueue \(BenchText.fixed(enqueueJobsPerSecond, 0)) jobs/s (\(BenchText.fixed(enqueueCommitsPerJob)) commits/job), "
            + "burn-down \(BenchText.fixed(burnDownJobsPerSecond, 0)) jobs/s (\(BenchText.fixed(burnDownCommitsPerJob)) commits/job), "
            + "\(failed) failed"
    }
}
