import Foundation

/// A job this worker holds a lease on, as the claim returned it.
struct ClaimedJob: Sendable {
    enum Stage: String, Sendable {
        case exchange, profile, done
    }

    let id: Int64
    let loginID: UUID
    /// The attempt number this claim made; every write is fenced on it and the worker id.
    let attempt: Int
    let maxAttempts: Int
    let stage: Stage
    let provider: String
    let redirectURI: String
    let nonce: String?
    let attemptID: UUID?
    let sealedCode: [UInt8]?
    let sealedVerifier: [UInt8]?
    let sealedProviderTokens: [UInt8]?
    /// An earlier attempt may have presented the code (its `exchange_sent_at` was already set):
    /// a KOE320 now means `exchange_interrupted`.
    let previouslySent: Bool
    /// The error that ended the previous attempt, if one did.
    let lastError: JobOutcome.AttemptError?
    /// Time left until the job's deadline, by the database clock at the claim.
    let timeLeftAtClaim: Duration
    /// When this worker claimed it (monotonic), to measure against the deadline and the lease.
    let claimedAt: ContinuousClock.Instant
    /// Seconds between the job's creation and this claim: the queue wait of a first attempt.
    let queueWait: Duration

    /// Time left until the deadline now.
    var timeLeft: Duration { timeLeftAtClaim - (ContinuousClock.now - claimedAt) }
}
