import Logging
import Postgres
import ServiceLifecycle

/// Deletes finished jobs and old attempts after the retention period (except failed account
/// deletions, which wait for an operator's retry), audit events after theirs, and drops secrets
/// that outlived their use — one process at a time (a transaction-level advisory lock, so it also
/// works behind PgBouncer), in batches so no statement holds locks for long.
public struct LoginPruner: Service {
    let pool: PostgresPool
    /// How long finished jobs and attempts are kept (at least an hour: a late re-post of a code
    /// must still find its job).
    let retention: Duration
    let interval: Duration
    let batchSize: Int
    /// After this long past a login's first read its refresh token is no longer re-delivered.
    let deliveryWindow: Duration
    /// How long `auth_events` rows are kept (default a year).
    let auditRetention: Duration
    let logger: Logger

    /// Arbitrary, fixed: the advisory lock key of the pruner.
    static let lockKey: Int64 = 0x6B61_6B61_6F70_7275

    public init(
        pool: PostgresPool,
        retention: Duration = .seconds(3600),
        interval: Duration = .seconds(60),
        batchSize: Int = 1000,
        deliveryWindow: Duration = .seconds(60),
        auditRetention: Duration = .seconds(365 * 86400),
        logger: Logger
    ) {
        self.pool = pool
        self.auditRetention = auditRetention
        self.deliveryWindow = deliveryWindow
        self.retention = retention
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval * Double.random(in: 0.8...1.2))
                    do {
                        try await pruneOnce()
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        logger.warning("login.prune_failed", metadata: ["db.error": "\(error)"])
                    }
                }
            }
        } catch is CancellationError {
            // graceful shutdown
        }
    }

    /// One pass; returns how many jobs, attempts and audit events it deleted. Does nothing when another
    /// process holds the pruner's lock.
    @discardableResult
    public func pruneOnce() async throws -> (jobs: Int, attempts: Int, events: Int) {
        var jobs = 0
        var attempts = 0
        var events = 0
        while true {
            let counts = try await pool.withTransaction { connection -> (Int, Int, Int)? in
                let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.lockKey)) AS locked").single()
                guard try locked.decode(Bool.self, "locked") else { return nil }
                let secs = retention.seconds
                let deletedJobs = try await connection.execute(
                    """
                    DELETE FROM login_jobs WHERE id IN (
                        SELECT id FROM login_jobs WHERE finished_at < now() - make_interval(secs => \(secs))
                          AND NOT (kind = 'account_deletion' AND state = 'failed')
                        ORDER BY finished_at LIMIT \(batchSize))
                    """
                )
                let deletedAttempts = try await connection.execute(
                    """
                    DELETE FROM login_attempts WHERE id IN (
                        SELECT id FROM login_attempts WHERE expires_at < now() - make_interval(secs => \(secs))
                        ORDER BY expires_at LIMIT \(batchSize))
                    """
                )
                // Codes of jobs that failed before sending them: an operator may requeue one while
                // it lives; Kakao's codes do not outlive 10 minutes.
                try await connection.execute(
                    """
                    UPDATE login_jobs SET code_sealed = NULL, pkce_verifier_sealed = NULL
                    WHERE state = 'failed' AND exchange_sent_at IS NULL AND code_sealed IS NOT NULL
                      AND finished_at < now() - interval '10 minutes'
                    """
                )
                try await connection.execute(
                    """
                    UPDATE login_jobs SET refresh_token_sealed = NULL
                    WHERE refresh_token_sealed IS NOT NULL AND delivered_at < now() - make_interval(secs => \(deliveryWindow.seconds))
                    """
                )
                let deletedEvents = try await connection.execute(
                    """
                    DELETE FROM auth_events WHERE id IN (
                        SELECT id FROM auth_events WHERE occurred_at < now() - make_interval(secs => \(auditRetention.seconds))
                        ORDER BY occurred_at LIMIT \(batchSize))
                    """
                )
                return (deletedJobs, deletedAttempts, deletedEvents)
            }
            guard let (deletedJobs, deletedAttempts, deletedEvents) = counts else { break }
            jobs += deletedJobs
            attempts += deletedAttempts
            events += deletedEvents
            if deletedJobs < batchSize && deletedAttempts < batchSize && deletedEvents < batchSize { break }
        }
        if jobs + attempts + events > 0 {
            logger.info(
                "login.pruned",
                metadata: ["prune.jobs": "\(jobs)", "prune.attempts": "\(attempts)", "prune.audit_events": "\(events)"]
            )
        }
        return (jobs, attempts, events)
    }
}
