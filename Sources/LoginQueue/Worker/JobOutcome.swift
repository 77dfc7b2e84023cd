import Accounts
import Foundation

/// How a job's attempt ended, decided by ``JobRunner`` and written by ``WorkerLoginJobs``.
enum JobOutcome: Sendable {
    /// The user and identity are written and the job succeeded; with `linkingTo`, the identity is
    /// linked to that signed-in user instead (or the job fails with `identity_already_linked`).
    /// `sealedProviderToken` is kept on the identity to disconnect the app at a later deletion.
    case succeeded(ProviderProfile, linkingTo: UUID?, sealedProviderToken: [UInt8]?)
    /// An account deletion ends: the account is erased, and the job succeeded, or failed with
    /// `code` when a provider could not be told (its `providerError`; `error` appended to
    /// `errors`) — an operator may retry it (`kakao-login queue retry`).
    case accountErased(LoginFailureCode?, providerError: String?, error: AttemptError?)
    /// Try again after `delay`. `codeNeverSent` undoes the claim's `exchange_sent_at` mark.
    case retry(after: Duration, error: AttemptError, codeNeverSent: Bool)
    /// The job failed for good. `providerError` is the provider's code behind the reason, if
    /// any (the row keeps exactly it); `requiredScopes` the consent items to ask for when the
    /// reason is `consent_required`; `error` is this attempt's own provider error, added to
    /// `errors` (none when the attempt made no call). `codeNeverSent` keeps the sealed code for
    /// an operator requeue.
    case failed(
        LoginFailureCode,
        providerError: String?,
        requiredScopes: [String]? = nil,
        error: AttemptError?,
        codeNeverSent: Bool
    )
    /// Hand the job back untouched (shutdown): to `queued`, `run_at = now()`.
    case released(codeNeverSent: Bool)

    /// Failed by this attempt's provider error: its code (and any consent items it says are
    /// missing) on the row, the error in `errors`.
    static func failed(_ code: LoginFailureCode, by error: LoginProviderError, codeNeverSent: Bool) -> JobOutcome {
        .failed(
            code,
            providerError: error.providerError,
            requiredScopes: error.requiredScopes,
            error: error.attemptError,
            codeNeverSent: codeNeverSent
        )
    }

    /// Failed without any provider error (a secret that does not open, say).
    static let internalFailure = JobOutcome.failed(.internalError, providerError: nil, error: nil, codeNeverSent: false)

    /// One entry of `login_jobs.errors`: never provider text.
    struct AttemptError: Sendable, Equatable {
        var retryClass: LoginProviderError.RetryClass
        var providerError: String?
    }
}
