import Accounts
import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Tracing

/// A worker process's job loop, as a `Service`: claims login jobs up to its free slots in one
/// statement, runs each (exchange, checkpoint, profile, complete), renews its leases in one
/// batched statement, wakes on NOTIFY and also polls about every second with jitter.
///
/// On graceful shutdown it stops claiming, lets in-flight jobs finish within the grace period,
/// then hands back to `queued` the jobs that never sent their code (and the checkpointed ones,
/// which will not send it again); a job whose code may be in flight stays leased and is rescued
/// by another worker when its lease ends.
public struct LoginWorker: Service {
    let pool: PostgresPool
    let listenerConfiguration: PostgresConfiguration
    /// The providers whose jobs this worker claims, by name.
    let providers: [String: any LoginProvider]
    let sealing: SealingKeys
    let configuration: WorkerConfiguration
    let logger: Logger
    /// The operators' pauses as this worker last read them (for `/readyz`).
    public let pauses = QueuePauseWatch()
    private let queue: WorkerLoginJobs
    private let runner: JobRunner
    private let metrics = WorkerMetrics()

    public init(
        pool: PostgresPool,
        listenerConfiguration: PostgresConfiguration,
        providers: [any LoginProvider],
        sealing: SealingKeys,
        accounts: UserAccounts,
        configuration: WorkerConfiguration,
        logger: Logger
    ) {
        var logger = logger
        logger[metadataKey: "worker.id"] = "\(configuration.workerID)"
        self.pool = pool
        self.listenerConfiguration = listenerConfiguration
        self.providers = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.sealing = sealing
        self.configuration = configuration
        self.logger = logger
        self.queue = WorkerLoginJobs(
            pool: pool,
            workerID: configuration.workerID,
            providerNames: self.providers.keys.sorted() + [WorkerLoginJobs.accountDeletionProvider],
            accounts: accounts
        )
        self.runner = JobRunner(
            providers: self.providers,
            sealing: sealing,
            retryPolicy: configuration.retryPolicy,
            logger: logger,
            metrics: metrics
        )
    }

    public func run() async throws {
        let jobs = InFlightJobs()
        let wake = WakeSignal()
        logger.info("login.worker.started", metadata: ["worker.concurrency": "\(configuration.concurrency)"])
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await listen(wake: wake) }
                group.addTask { await renewLeases(jobs) }
                group.addTask { await watchPauses() }
                await claimLoop(jobs: jobs, wake: wake, group: &group)
                await drain(jobs, wake: wake)
                group.cancelAll()
            }
        } onGracefulShutdown: {
            jobs.beginShutdown()
            wake.signal(.all)
        }
        await releaseUnsentJobs(jobs)
        logger.info("login.worker.stopped")
    }

    // MARK: - claiming

    /// Claims while there is work and room. When the last claim filled its batch, runnable
    /// jobs are likely waiting: it claims again as soon as enough slots are free (gathering them
    /// briefly, so one statement takes several jobs). Otherwise it waits for a NOTIFY, the
    /// follow-up look after a claim that found work, or the poll interval; a freed slot alone
    /// does not make it look (no empty claim per finished job).
    private func claimLoop(jobs: InFlightJobs, wake: WakeSignal, group: inout DiscardingTaskGroup) async {
        var failures = 0
        var workWaiting = true
        var foundWork = false
        while !jobs.isShuttingDown, !Task.isCancelled {
            let free = configuration.concurrency - jobs.count
            if workWaiting, free > 0 {
                let limit = min(free, configuration.claimBatch)
                do {
                    let claimStarted = DefaultTracerClock.now
                    let claimed = try await queue.claim(limit: limit, lease: configuration.lease)
                    let claim = JobSpans.Claim(started: claimStarted, ended: DefaultTracerClock.now, batchSize: claimed.count)
                    failures = 0
                    for case .failure(let unreadable) in claimed {
                        await failUnreadable(unreadable)
                    }
                    for case .success(let job) in claimed {
                        let progress = JobRunner.Progress()
                        jobs.add(job, progress: progress, lease: configuration.lease)
                        if job.attempt == 1 { metrics.queueWait(job.queueWait) }
                        // A job mostly waits for PostgreSQL and Kakao: on the pool's executor, each
                        // database answer resumes it on the thread that read it.
                        group.addTask(executorPreference: pool.taskExecutor) {
                            await process(job, claim: claim, progress: progress, jobs: jobs, wake: wake)
                        }
                    }
                    metrics.jobsInFlight(jobs.count)
                    foundWork = !claimed.isEmpty
                    workWaiting = claimed.count == limit
                    if workWaiting, limit < free { continue }
                } catch {
                    failures += 1
                    logger.warning("login.worker.claim_failed", metadata: ["db.error": "\(error)"])
                    await wake.wait(for: .all, timeout: min(configuration.pollInterval * failures, .seconds(5)))
                    continue
                }
            }
            if workWaiting {
                await waitForSlots(jobs, wake: wake)
            } else {
                let jitter = Double.random(in: 0.8...1.2)
                await wake.wait(
                    for: .jobsArrived,
                    timeout: foundWork ? configuration.followUpInterval : configuration.pollInterval * jitter
                )
                foundWork = false
                workWaiting = true
            }
        }
    }

    /// Returns once ``WorkerConfiguration/minimumClaim`` slots are free, or some are and
    /// ``WorkerConfiguration/claimGathering`` has passed since the first was, or after the poll
    /// interval with none.
    private func waitForSlots(_ jobs: InFlightJobs, wake: WakeSignal) async {
        let started = ContinuousClock.now
        var firstFree: ContinuousClock.Instant?
        while !jobs.isShuttingDown, !Task.isCancelled {
            let free = configuration.concurrency - jobs.count
            let now = ContinuousClock.now
            if free >= configuration.minimumClaim { return }
            if free > 0 {
                let since = firstFree ?? now
                firstFree = since
                if now - since >= configuration.claimGathering { return }
                await wake.wait(for: .slotFreed, timeout: configuration.claimGathering - (now - since))
            } else {
                if now - started >= configuration.pollInterval { return }
                await wake.wait(for: .slotFreed, timeout: configuration.pollInterval)
            }
        }
    }

    /// A claimed row this version cannot read: failed with `internal_error` at once, never run
    /// on a guess (its lease would otherwise expire and the row be claimed again and again).
    private func failUnreadable(_ claim: WorkerLoginJobs.UnreadableClaim) async {
        var logger = logger
        logger[metadataKey: "job.id"] = "\(claim.fence.id)"
        logger[metadataKey: "login.id"] = "\(claim.loginID.uuidString.lowercased())"
        logger.error("login.job.unreadable", metadata: ["job.column": "\(claim.error.column)"])
        do {
            if case .written = try await queue.record(.internalFailure, for: claim.fence) { log(.internalFailure, logger: logger) }
        } catch {
            logger.warning("login.job.unreadable_not_failed", metadata: ["db.error": "\(error)"])
        }
    }

    private func listen(wake: WakeSignal) async {
        let listener = PostgresListener(configuration: listenerConfiguration, channels: [LoginNotifications.jobsChannel], logger: logger)
        do {
            for try await _ in listener { wake.signal(.jobsArrived) }
        } catch {
            logger.error("login.worker.listener_failed", metadata: ["db.error": "\(error)"])
        }
    }

    // MARK: - pauses and depth

    /// Reads the operators' pauses once a poll interval, and the queue's depth every fifth time.
    private func watchPauses() async {
        let depth = QueueDepthGauges()
        var round = 0
        while !Task.isCancelled {
            do {
                try await pauses.refresh(pool: pool, logger: logger)
                if round % 5 == 0 { try await depth.sample(pool: pool) }
            } catch {
                logger.debug("login.worker.queue_watch_failed", metadata: ["db.error": "\(error)"])
            }
            round += 1
            try? await Task.sleep(for: configuration.pollInterval)
        }
    }

    // MARK: - leases

    private func renewLeases(_ jobs: InFlightJobs) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.heartbeat)
            let ids = jobs.ids
            guard !ids.isEmpty, !Task.isCancelled else { continue }
            let asked = ContinuousClock.now
            do {
                let renewal = try await queue.renewLeases(ids, lease: configuration.lease)
                for id in jobs.renewed(renewal, asked: ids, renewedAt: asked, lease: configuration.lease) {
                    metrics.leaseLost()
                    logger.warning("login.worker.lease_lost", metadata: ["job.id": "\(id)"])
                }
            } catch {
                logger.warning("login.worker.renew_failed", metadata: ["db.error": "\(error)"])
            }
        }
    }

    // MARK: - one job

    private func process(
        _ job: ClaimedJob,
        claim: JobSpans.Claim,
        progress: JobRunner.Progress,
        jobs: InFlightJobs,
        wake: WakeSignal
    ) async {
        defer {
            jobs.remove(job.id)
            metrics.jobsInFlight(jobs.count)
            wake.signal(.slotFreed)
        }
        await JobSpans.job(job, claim: claim) { span in
            await attempt(job, span: span, progress: progress, jobs: jobs)
        }
    }

    /// One attempt of `job`, from the claim to the final write, in its `login.job` span.
    private func attempt(_ job: ClaimedJob, span: any Span, progress: JobRunner.Progress, jobs: InFlightJobs) async {
        let logger = logger.with(job)
        do {
            let outcome: JobOutcome?
            switch job.kind {
            case .login, .appToken:
                outcome = try await runner.run(job, progress: progress) { fence, sealed in
                    try await persist(job, jobs: jobs) { try await queue.checkpoint(fence, sealedTokens: sealed) }
                }
            case .accountDeletion(let userID):
                progress.markCheckpointed()  // no code: handing it back at shutdown is always safe
                let identities = try await persist(job, jobs: jobs) { try await queue.identitiesToDisconnect(userID: userID) }
                outcome = try await runner.runDeletion(job, identities: identities) { fence, identityID in
                    try await persist(job, jobs: jobs) { try await queue.markDisconnected(fence, identityID: identityID, userID: userID) }
                }
            }
            guard let outcome else {
                logger.info("login.job.lost_to_another_worker")
                return
            }
            try Task.checkCancellation()
            jobs.markCompleting(job.id)
            let written = try await JobSpans.step("login.complete") {
                try await persist(job, jobs: jobs) { try await queue.record(outcome, for: job.fence) }
            }
            switch written {
            case .written:
                JobSpans.record(outcome, on: span)
                log(outcome, logger: logger)
            case .refused(let code):
                let refused = JobOutcome.failed(code, providerError: nil, error: nil, codeNeverSent: false)
                JobSpans.record(refused, on: span)
                log(refused, logger: logger)
            case .lost:
                logger.info("login.job.lost_to_another_worker")
            }
        } catch is CancellationError {
            // Shutdown after the grace period: hand back what cannot send the code twice.
            if job.stage == .exchange, !progress.codeSent {
                jobs.addRelease(job, codeNeverSent: !job.previouslySent)
            } else if progress.isCheckpointed {
                jobs.addRelease(job, codeNeverSent: false)
            }
        } catch {
            // The database stayed unreachable until the lease was nearly over: another worker
            // rescues the job when the lease ends (from the checkpoint, if one was written).
            logger.error("login.job.write_abandoned", metadata: ["db.error": "\(error)"])
        }
    }

    /// Runs a write, retrying while the database is unreachable and the lease leaves time:
    /// an answer from the provider is kept in memory through a short outage.
    private func persist<Result>(_ job: ClaimedJob, jobs: InFlightJobs, _ write: () async throws -> Result) async throws -> Result {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await write()
            } catch let error as PostgresError where error.isUnavailable {
                guard let leaseEnds = jobs.leaseEnds(job.id),
                    ContinuousClock.now + delay < leaseEnds - configuration.leaseSafetyMargin
                else { throw error }
                logger.with(job).warning("login.job.write_retry", metadata: ["db.error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    private func log(_ outcome: JobOutcome, logger: Logger) {
        switch outcome {
        case .succeeded:
            metrics.jobEnded(outcome: "succeeded", failureCode: nil, providerError: nil)
            logger.info("login.job.succeeded")
        case .accountErased(nil, _, _):
            metrics.jobEnded(outcome: "succeeded", failureCode: nil, providerError: nil)
            logger.info("account.deletion.succeeded")
        case .accountErased(let code?, let providerError, _):
            metrics.jobEnded(outcome: "failed", failureCode: code.rawValue, providerError: providerError)
            logger.warning(
                "account.deletion.failed",
                metadata: ["login.failure_code": "\(code.rawValue)", "provider.error": "\(providerError ?? "-")"]
            )
        case .retry(let delay, let error, _):
            metrics.jobEnded(outcome: "retry", failureCode: nil, providerError: error.providerError)
            logger.info(
                "login.job.retry",
                metadata: ["job.retry_in_ms": "\(delay.nanoseconds / 1_000_000)", "provider.error": "\(error.providerError ?? "-")"]
            )
        case .failed(let code, let providerError, _, _, _):
            metrics.jobEnded(outcome: "failed", failureCode: code.rawValue, providerError: providerError)
            logger.info(
                "login.job.failed",
                metadata: ["login.failure_code": "\(code.rawValue)", "provider.error": "\(providerError ?? "-")"]
            )
        case .released:
            metrics.jobEnded(outcome: "released", failureCode: nil, providerError: nil)
            logger.info("login.job.released")
        }
    }

    // MARK: - shutdown

    /// Waits until no job is in flight, or the grace period ends.
    private func drain(_ jobs: InFlightJobs, wake: WakeSignal) async {
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while jobs.count > 0, ContinuousClock.now < deadline {
            await wake.wait(for: .slotFreed, timeout: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
        if jobs.count > 0 {
            logger.warning("login.worker.grace_over", metadata: ["worker.jobs_in_flight": "\(jobs.count)"])
        }
    }

    private func releaseUnsentJobs(_ jobs: InFlightJobs) async {
        for (job, codeNeverSent) in jobs.takeReleases() {
            do {
                if case .written = try await queue.record(.released(codeNeverSent: codeNeverSent), for: job.fence) {
                    log(.released(codeNeverSent: codeNeverSent), logger: logger.with(job))
                }
            } catch {
                logger.with(job).warning("login.job.release_failed", metadata: ["db.error": "\(error)"])
            }
        }
    }
}
