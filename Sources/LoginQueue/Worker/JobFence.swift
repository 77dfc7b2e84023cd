/// Which claim of which job a write belongs to: every write after the claim is fenced on the
/// job's id, the claim's attempt number and this worker's id (``WorkerLoginJobs/fenced(_:)``),
/// so a job another worker rescued after this one's lease ended cannot be overwritten.
struct JobFence: Sendable, Hashable {
    /// `login_jobs.id`.
    let id: Int64
    /// The attempt number the claim set.
    let attempt: Int
}
