import Accounts
import Foundation
import Logging
import Postgres

/// The API's side of the queue: enqueue a posted code (``enqueue(code:redirectURI:reader:provider:loginID:logger:)``),
/// say why one was refused, read a login for its reader and deliver its tokens once (then again
/// within a short window), and measure the queue for backpressure. (The worker's side is
/// ``WorkerLoginJobs``.)
///
/// Enqueue is one statement and one durable commit; the code is stored only sealed, bound to its
/// row, and deduplicated by an HMAC under a unique index. Enqueues, and reads, are
/// group-committed (``GroupCommit``): the ones that arrive while another batch is written share
/// its successor's transaction, and each caller is answered after that commit.
public struct APILoginJobs: Sendable {
    let pool: PostgresPool
    let sealing: SealingKeys
    let configuration: LoginQueueConfiguration
    let sessions: Sessions
    let logger: Logger
    let debouncer: NotifyDebouncer
    /// `var`s only so that tests can give their copy batchers of their own.
    var enqueues: GroupCommit
    var reads: GroupCommit
    /// A read alone, or the reads of a batch in one statement; built once.
    let readStatement: SetStatement<LoginRead>

    /// - Parameter notifyWindow: at most one worker wake-up per window from this process.
    public init(
        pool: PostgresPool,
        sealing: SealingKeys,
        configuration: LoginQueueConfiguration,
        sessions: Sessions,
        notifyWindow: Duration = .milliseconds(5),
        logger: Logger
    ) {
        self.pool = pool
        self.sealing = sealing
        self.configuration = configuration
        self.sessions = sessions
        self.logger = logger
        self.debouncer = NotifyDebouncer(window: notifyWindow)
        // An enqueue is a light statement: four go side by side (PostgreSQL shares their WAL
        // flush); beyond that they batch. Four enqueue as fast as eight from eight callers and
        // batch more of a busy API's logins (docs/BENCHMARKS.md, "Group commit").
        self.enqueues = GroupCommit(pool: pool, name: "login_enqueue", concurrentBatches: 4)
        self.reads = GroupCommit(pool: pool, name: "login_read")
        self.readStatement = Self.readStatement(sessions: sessions, deliveryWindow: configuration.deliveryWindow)
    }

    /// The caller's logger, else this type's, with the login's id on every line.
    func scopedLogger(_ callerLogger: Logger?, loginID: UUID?) -> Logger {
        var logger = callerLogger ?? self.logger
        if let loginID { logger[metadataKey: "login.id"] = "\(loginID.uuidString.lowercased())" }
        return logger
    }
}
