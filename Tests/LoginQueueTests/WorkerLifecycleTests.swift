import Accounts
import Foundation
import KakaoEmulator
import Synchronization
import TestSupport
import Testing

@testable import LoginQueue
@testable import Postgres

/// Leases, rescue, graceful shutdown and pruning.
@Suite("Worker lifecycle")
struct WorkerLifecycleTests {
    @Test("a slow job keeps its lease through renewals; a second worker never takes it")
    func leaseRenewal() async throws {
        try await QueueHarness.run { harness in
            // The job outlasts two leases; renewals (every third of a lease) keep it. A lease of 5 s
            // leaves over 3 s for a renewal delayed by a busy host (2 s was seen to be too little
            // on two saturated cores).
            let slow = StalledProvider(wrapped: harness.provider, stallProfile: .seconds(11))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            let configuration = QueueHarness.workerConfiguration(lease: .seconds(5))
            try await harness.withWorker(configuration, provider: slow) {
                try await waitUntil("the job is running") {
                    try await harness.job(enqueued.loginID, "state", as: String.self) == "running"
                }
                try await harness.withWorker(configuration) {
                    let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                    #expect(result.success != nil)
                }
            }
            #expect(try await harness.job(enqueued.loginID, "attempt", as: Int16.self) == 1)
        }
    }

    // A renewal that waited for a locked row could deadlock with this worker's own batched
    // checkpoint of the same jobs, which locks them in another order (seen in CI).
    @Test("a lease renewal never waits for a locked row: that job is busy, not lost; held jobs are renewed, a rescued one is not")
    func renewalSkipsLockedRows() async throws {
        try await QueueHarness.run { harness in
            var loginIDs: [UUID] = []
            for _ in 0..<3 { loginIDs.append(try await harness.enqueueLogin().1.loginID) }
            // A renewal that waited would fail on the lock timeout instead of hanging the test.
            var impatient = harness.database
            impatient.lockTimeout = .seconds(10)
            try await withPool(impatient) { pool in
                let jobs = WorkerLoginJobs(
                    pool: pool,
                    workerID: "renewal-test",
                    providerNames: [harness.configuredProvider.name],
                    accounts: UserAccounts()
                )
                let claimed = try await jobs.claim(limit: 3, lease: .seconds(60)).map { try $0.get() }
                let ids = Dictionary(uniqueKeysWithValues: claimed.map { ($0.loginID, $0.id) })
                let (held, busy, rescued) = (ids[loginIDs[0]]!, ids[loginIDs[1]]!, ids[loginIDs[2]]!)
                try await harness.pool.execute("UPDATE login_jobs SET lease_expires_at = now() WHERE locked_by = 'renewal-test'")
                try await harness.pool.execute("UPDATE login_jobs SET attempt = attempt + 1, locked_by = 'other' WHERE id = \(rescued)")
                let renewal = try await PostgresConnection.withConnection(configuration: harness.database, logger: harness.logger) {
                    holder in
                    try await holder.executeSimple("BEGIN")
                    _ = try await holder.query("SELECT 1 FROM login_jobs WHERE id = \(busy) FOR UPDATE")
                    let renewal = try await jobs.renewLeases([held, busy, rescued], lease: .seconds(60))
                    try await holder.executeSimple("COMMIT")
                    return renewal
                }
                #expect(renewal == WorkerLoginJobs.LeaseRenewal(renewed: [held], busy: [busy]))
                let extended = try await harness.pool.query(
                    "SELECT id FROM login_jobs WHERE lease_expires_at > now() + interval '30 seconds'"
                ).map { try $0.decode(Int64.self, "id") }
                #expect(extended == [held])
                // Only the rescued job counts as lost; the busy one keeps the lease it had.
                let inFlight = InFlightJobs()
                for job in claimed { inFlight.add(job, progress: JobRunner.Progress(), lease: .seconds(60)) }
                let before = inFlight.leaseEnds(busy)
                let now = ContinuousClock.now + .seconds(1)
                #expect(inFlight.renewed(renewal, asked: [held, busy, rescued], renewedAt: now, lease: .seconds(60)) == [rescued])
                #expect(inFlight.leaseEnds(held) == now + .seconds(60))
                #expect(inFlight.leaseEnds(busy) == before)
            }
        }
    }

    @Test("shutdown with a checkpointed job in flight hands it back; another worker finishes it from user/me")
    func shutdownReleasesCheckpointedJob() async throws {
        try await QueueHarness.run { harness in
            let stuck = StalledProvider(wrapped: harness.provider, stallProfile: .seconds(3600))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await harness.withWorker(QueueHarness.workerConfiguration(shutdownGrace: .milliseconds(200)), provider: stuck) {
                try await waitUntil("the job is checkpointed") {
                    try await harness.job(enqueued.loginID, "stage", as: String.self) == "profile"
                }
            }
            #expect(try await harness.job(enqueued.loginID, "state", as: String.self) == "queued")
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.success != nil)
            }
            #expect(harness.emulator.stats.tokenRequestsTotal == 1)
        }
    }

    @Test("shutdown while the token request may be in flight leaves the job leased; it is rescued when the lease ends")
    func shutdownLeavesSentJobLeased() async throws {
        try await QueueHarness.run { harness in
            let stuck = StalledProvider(wrapped: harness.provider, stallExchange: .seconds(3600))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            let short = QueueHarness.workerConfiguration(lease: .seconds(1), shutdownGrace: .milliseconds(200))
            try await harness.withWorker(short, provider: stuck) {
                try await waitUntil("the exchange started") { stuck.exchangeStarted }
            }
            #expect(try await harness.job(enqueued.loginID, "state", as: String.self) == "running")
            #expect(try await harness.job(enqueued.loginID, "exchange_sent_at", as: Date?.self) != nil)
            // The rescuer's own lease is the default 5 s: with a 1 s lease on two saturated cores,
            // a late renewal let it rescue the job from itself (attempt 3).
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                // The stalled worker never reached Kakao, so the rescue's presentation succeeds.
                #expect(result.success != nil)
            }
            #expect(try await harness.job(enqueued.loginID, "attempt", as: Int16.self) == 2)
        }
    }

    @Test("the pruner deletes old finished jobs and attempts, and drops secrets past their use")
    func pruning() async throws {
        try await QueueHarness.run { harness in
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await harness.withWorker {
                _ = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
            }
            let (_, recent) = try await harness.enqueueLogin()
            try await harness.pool.execute(
                """
                UPDATE login_jobs SET created_at = now() - interval '3 hours', deadline_at = now() - interval '179 minutes',
                    started_at = now() - interval '3 hours', exchange_sent_at = now() - interval '3 hours',
                    finished_at = now() - interval '2 hours', delivered_at = now() - interval '2 hours'
                WHERE login_id = \(enqueued.loginID)
                """
            )
            try await harness.pool.execute(
                "UPDATE login_attempts SET created_at = now() - interval '3 hours', expires_at = now() - interval '2 hours' WHERE id = \(attempt.attemptID)"
            )
            let pruner = LoginPruner(pool: harness.pool, retention: .seconds(3600), batchSize: 1, logger: harness.logger)
            let pruned = try await pruner.pruneOnce()
            #expect(pruned.jobs == 1)
            #expect(pruned.attempts == 1)
            let left = try await harness.pool.query("SELECT login_id FROM login_jobs").map { try $0.decode(UUID.self, "login_id") }
            #expect(left == [recent.loginID])
        }
    }

    @Test("the pruner nulls the code of a job that failed before sending it, once it is 10 minutes old")
    func pruningUnsentCodes() async throws {
        try await QueueHarness.run { harness in
            let (_, old) = try await harness.enqueueLogin()
            let (_, fresh) = try await harness.enqueueLogin()
            for (loginID, minutes) in [(old.loginID, 11), (fresh.loginID, 1)] {
                try await harness.pool.execute(
                    """
                    UPDATE login_jobs SET state = 'failed', failure_code = 'login_expired',
                        finished_at = now() - make_interval(mins => \(Int32(minutes)))
                    WHERE login_id = \(loginID)
                    """
                )
            }
            let pruner = LoginPruner(pool: harness.pool, retention: .seconds(3600), batchSize: 10, logger: harness.logger)
            _ = try await pruner.pruneOnce()
            #expect(try await harness.job(old.loginID, "code_sealed", as: [UInt8]?.self) == nil)
            #expect(try await harness.job(old.loginID, "pkce_verifier_sealed", as: [UInt8]?.self) == nil)
            #expect(try await harness.job(fresh.loginID, "code_sealed", as: [UInt8]?.self) != nil, "an operator may still requeue it")
        }
    }

    @Test("the checkpoint touches no indexed column of login_jobs, so it can be a HOT update")
    func checkpointIsHOTEligible() async throws {
        try await QueueHarness.run { harness in
            let rows = try await harness.pool.query(
                """
                SELECT i.indexrelid::regclass::text AS name,
                       pg_get_indexdef(i.indexrelid) AS definition
                FROM pg_index i WHERE i.indrelid = 'login_jobs'::regclass
                """
            )
            let indexes = try rows.map { (try $0.decode(String.self, "name"), try $0.decode(String.self, "definition")) }
            #expect(indexes.count >= 10)
            for (name, definition) in indexes {
                for column in ["stage", "kakao_token_sealed", "code_sealed", "pkce_verifier_sealed"] {
                    #expect(!definition.contains(column), "\(name) names \(column)")
                }
            }
        }
    }

    @Test("only one pruner runs at a time")
    func prunerLock() async throws {
        try await QueueHarness.run { harness in
            try await harness.pool.withTransaction { connection in
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(LoginPruner.lockKey))")
                let pruner = LoginPruner(pool: harness.pool, logger: harness.logger)
                let pruned = try await pruner.pruneOnce()
                #expect(pruned.jobs == 0 && pruned.attempts == 0)
            }
        }
    }
}

/// The Kakao provider with a stall before the exchange or the profile read (cancellable).
final class StalledProvider: ForwardingProvider, Sendable {
    let wrapped: any LoginProvider
    let stallExchange: Duration
    let stallProfile: Duration
    private let started = Mutex(false)

    init(wrapped: any LoginProvider, stallExchange: Duration = .zero, stallProfile: Duration = .zero) {
        self.wrapped = wrapped
        self.stallExchange = stallExchange
        self.stallProfile = stallProfile
    }

    var exchangeStarted: Bool { started.withLock { $0 } }

    func exchange(code: String, redirectURI: String, codeVerifier: String?) async throws -> ProviderTokens {
        started.withLock { $0 = true }
        try await Task.sleep(for: stallExchange)
        return try await wrapped.exchange(code: code, redirectURI: redirectURI, codeVerifier: codeVerifier)
    }

    func profile(tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        try await Task.sleep(for: stallProfile)
        return try await wrapped.profile(tokens: tokens, nonce: nonce)
    }
}
