import Accounts

/// How a job's attempt ended, decided by ``JobRunner`` and written by ``LoginJobQueue``.
enum JobOutcome: Sendable {
    /// The user and identity are written and the job succeeded.
    case succeeded(ProviderProfile)
    /// Try again after `delay`. `codeNeverSent` undoes the claim's `exchange_sent_at` mark.
    case retry(after: Duration, error: AttemptError, codeNeverSent: Bool)
    /// The job failed for good. `codeNeverSent` keeps the sealed code for an operator requeue.
    case failed(LoginFailureCode, error: AttemptError?, codeNeverSent: Bool)
    /// Hand the job back untouched (shutdown): to `queued`, `run_at = now()`.
    case released(codeNeverSent: Bool)

    /// One entry of `login_jobs.errors`: never provider text.
    struct AttemptError: Sendable, Equatable {
        var retryClass: String
        var providerError: String?
    }
}
