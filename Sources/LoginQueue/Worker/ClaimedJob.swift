import Foundation

/// A job this worker holds a lease on, as the claim returned it.
struct ClaimedJob: Sendable {
    /// What the job does (`login_jobs.kind`).
    enum Kind: Sendable, Equatable {
        /// Exchange a posted code and sign the user in: the redirect URI it was issued for.
        case login(redirectURI: String)
        /// Sign the user in with the tokens a native app got from the provider's SDK (stored
        /// `kakao_token`): checkpointed at the enqueue, checked to be this app's first.
        case appToken
        /// Disconnect the user's providers and erase the account.
        case accountDeletion(userID: UUID)

        /// The kind stored in `kind` with its columns; an unknown or incomplete one is an error.
        init(stored text: String, redirectURI: String?, userID: UUID?) throws(UnreadableJob) {
            switch (text, redirectURI, userID) {
            case ("login", let redirectURI?, _): self = .login(redirectURI: redirectURI)
            case ("kakao_token", nil, _): self = .appToken
            case ("account_deletion", _, let userID?): self = .accountDeletion(userID: userID)
            default: throw UnreadableJob(column: "kind")
            }
        }
    }

    /// How far the job got (`login_jobs.stage`).
    enum Stage: String, Sendable {
        /// The code has not been exchanged (or the exchange's outcome is unknown).
        case exchange
        /// The provider's tokens are checkpointed: the code is never presented again.
        case profile
        /// The job succeeded.
        case done
        /// An account deletion telling the providers (``Kind/accountDeletion(userID:)``).
        case disconnect

        /// The stage stored in `text`; an unknown one is an error, never `exchange` (the one
        /// stage that sends a code).
        init(stored text: String) throws(UnreadableJob) {
            guard let stage = Stage(rawValue: text) else { throw UnreadableJob(column: "stage") }
            self = stage
        }
    }

    /// What every write of this claim is fenced on.
    let fence: JobFence
    /// The public id: the login's, or the deletion's.
    let loginID: UUID
    let kind: Kind
    let maxAttempts: Int
    let stage: Stage
    let provider: String
    let nonce: String?
    let attemptID: UUID?
    /// A signed-in user this login links its identity to, instead of signing in.
    let linkUserID: UUID?
    let sealedCode: [UInt8]?
    let sealedVerifier: [UInt8]?
    let sealedProviderTokens: [UInt8]?
    /// An earlier attempt may have presented the code (its `exchange_sent_at` was already set):
    /// a rejected code now means `exchange_interrupted`.
    let previouslySent: Bool
    /// The error that ended the previous attempt, if one did.
    let lastError: JobOutcome.AttemptError?
    /// Time left until the job's deadline, by the database clock at the claim.
    let timeLeftAtClaim: Duration
    /// When this worker claimed it (monotonic), to measure against the deadline and the lease.
    let claimedAt: ContinuousClock.Instant
    /// Seconds between the job's creation and this claim: the queue wait of a first attempt.
    let queueWait: Duration
    /// The `traceparent` of the request that enqueued the job (``JobTraceContext``), if traced.
    let traceContext: String?

    /// `login_jobs.id`.
    var id: Int64 { fence.id }
    /// The attempt number this claim made.
    var attempt: Int { fence.attempt }
    /// Time left until the deadline now.
    var timeLeft: Duration { timeLeftAtClaim - (ContinuousClock.now - claimedAt) }
}
