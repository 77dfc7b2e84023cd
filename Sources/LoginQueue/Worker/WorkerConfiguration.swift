import Foundation

/// How a worker runs. Defaults follow DESIGN.md; tests shorten the intervals so they wait on
/// database state, not on long sleeps.
public struct WorkerConfiguration: Sendable {
    /// Jobs in flight at most (`--concurrency`).
    public var concurrency: Int
    /// This worker's id in `locked_by`; unique per process.
    public var workerID: String
    /// How long a claim holds a job (default 30 s).
    public var lease: Duration
    /// How often leases are renewed, in one statement (default a third of the lease).
    public var heartbeat: Duration
    /// How often an idle worker looks for work without a NOTIFY (default 1 s, with ±20% jitter).
    public var pollInterval: Duration
    /// After a claim that found work, look again this soon (covers enqueues whose NOTIFY was
    /// debounced away; default 5 ms, the API's debounce window).
    public var followUpInterval: Duration
    /// Most jobs one claim takes (default 64).
    public var claimBatch: Int
    /// While runnable jobs wait for a free slot, the claim waits until this many slots are free
    /// (default an eighth of the concurrency, at least 1, at most ``claimBatch``) …
    public var minimumClaim: Int
    /// … or until this long after the first slot freed up (default 2 ms): under load, one claim
    /// takes several jobs instead of one statement per finished job.
    public var claimGathering: Duration
    /// On shutdown, how long in-flight jobs may take to finish (default 20 s).
    public var shutdownGrace: Duration
    /// Backoff between attempts.
    public var retryPolicy: RetryPolicy
    /// While the database is unreachable after the provider answered, keep the answer and retry
    /// the write until this much of the lease is left (default 2 s).
    public var leaseSafetyMargin: Duration

    public init(
        concurrency: Int = 64,
        workerID: String = WorkerConfiguration.defaultWorkerID(),
        lease: Duration = .seconds(30),
        heartbeat: Duration? = nil,
        pollInterval: Duration = .seconds(1),
        followUpInterval: Duration = .milliseconds(5),
        claimBatch: Int = 64,
        minimumClaim: Int? = nil,
        claimGathering: Duration = .milliseconds(2),
        shutdownGrace: Duration = .seconds(20),
        retryPolicy: RetryPolicy = RetryPolicy(),
        leaseSafetyMargin: Duration = .seconds(2)
    ) {
        self.concurrency = max(1, concurrency)
        self.workerID = workerID
        self.lease = lease
        self.heartbeat = heartbeat ?? lease / 3
        self.pollInterval = pollInterval
        self.followUpInterval = followUpInterval
        self.claimBatch = max(1, claimBatch)
        self.minimumClaim = min(max(1, minimumClaim ?? concurrency / 8), self.claimBatch, self.concurrency)
        self.claimGathering = claimGathering
        self.shutdownGrace = shutdownGrace
        self.retryPolicy = retryPolicy
        self.leaseSafetyMargin = min(leaseSafetyMargin, lease / 2)
    }

    /// `host:pid:random`, unique per process.
    public static func defaultWorkerID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "worker"
        return "\(host):\(ProcessInfo.processInfo.processIdentifier):\(SecretToken.random(bytes: 4))"
    }
}
