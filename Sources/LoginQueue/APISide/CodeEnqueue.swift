import Foundation
import Postgres

/// One posted code on its way into `login_jobs`: the row of the enqueue statement
/// (``APILoginJobs/enqueueStatement(_:)``), which enqueues it alone or, with the codes posted
/// at the same moment, in one `INSERT` over all of them.
struct CodeEnqueue: Sendable {
    /// Who may read the login, and where its attempt's details come from.
    enum Reader: Sendable {
        /// An attempt (cookie or `X-Login-Attempt`): the job takes the attempt's provider,
        /// verifier, nonce, redirect URI and link, and uses the attempt up.
        case attempt(stateHash: [UInt8], redirectURI: String?)
        /// The stateless flow: a poll token, and the redirect URI from the allow-list.
        case pollToken(redirectURI: String)
    }

    let loginID: UUID
    let provider: String
    let reader: Reader
    /// `binding_hash`: the attempt token's digest, or the poll token's.
    let binding: [UInt8]
    /// The code's HMAC under each sealing key; the first is stored.
    let fingerprints: [[UInt8]]
    let sealedCode: [UInt8]
    let traceContext: String?
    /// How long the job may take from its creation, in seconds (`deadline_at`).
    let deadlineSeconds: Double
    /// Whether this enqueue wakes the workers (``NotifyDebouncer``).
    let notifies: Bool
}
