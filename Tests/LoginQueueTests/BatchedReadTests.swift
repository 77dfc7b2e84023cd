import Accounts
import Foundation
import MetricsTestKit
import TestSupport
import Testing

@testable import LoginQueue
@testable import Postgres

/// The reads of a batch go as one statement (``APILoginJobs/readStatement(sessions:deliveryWindow:)``):
/// each login answers as it would alone, its first read creates one session, and a login the
/// provider's unlink overtook is written by its own statement.
@Suite("Batched read")
struct BatchedReadTests {
    /// `count` logins signed in by a worker, undelivered, each a user of its own (`S0`, `S1`, …).
    private func succeeded(_ count: Int, _ harness: QueueHarness) async throws -> [(loginID: UUID, reader: ReaderToken)] {
        let worker = WorkerLoginJobs(
            pool: harness.pool,
            workerID: "read-test",
            providerNames: [harness.configuredProvider.name],
            accounts: UserAccounts()
        )
        var logins: [(loginID: UUID, reader: ReaderToken)] = []
        for _ in 0..<count {
            let (attempt, enqueued) = try await harness.enqueueLogin()
            logins.append((enqueued.loginID, attempt.reader))
        }
        for claimed in try await worker.claim(limit: count, lease: .seconds(60)) {
            let job = try claimed.get()
            let index = try #require(logins.firstIndex { $0.loginID == job.loginID })
            let profile = ProviderProfile(provider: harness.configuredProvider.name, subject: "S\(index)", nickname: "user \(index)")
            let recorded = try await worker.record(.succeeded(profile, linkingTo: nil, sealedProviderToken: nil), for: job.fence)
            guard case .written = recorded else { throw BatchedReadFailure.notSignedIn }
        }
        return logins
    }

    private enum BatchedReadFailure: Error { case notSignedIn }

    private func sessions(of loginID: UUID, _ harness: QueueHarness) async throws -> Int {
        try await harness.pool.query(
            "SELECT count(*) AS n FROM sessions s JOIN login_jobs j ON j.id = s.login_job_id WHERE j.login_id = \(loginID)"
        ).single().decode(Int.self, "n")
    }

    private func unlinkByProvider(subject: String, _ harness: QueueHarness) async throws {
        try await harness.pool.execute(
            "UPDATE user_identities SET unlinked_at = now(), unlinked_by = 'provider' WHERE subject = \(subject)"
        )
    }

    @Test("one statement delivers, re-reads, waits and refuses as alone; a login read twice gets one session")
    func mixedBatch() async throws {
        try await QueueHarness.run { harness in
            let logins = try await succeeded(4, harness)
            let (pendingAttempt, pending) = try await harness.enqueueLogin()
            // S1 was delivered before; the provider unlinked S3 since its login began.
            _ = try #require(try await harness.jobs.read(loginID: logins[1].loginID, readerToken: logins[1].reader)?.success?.delivery)
            try await unlinkByProvider(subject: "S3", harness)
            let stranger = ReaderToken(String(repeating: "x", count: 43))
            let reads = [
                try harness.jobs.loginRead(loginID: logins[0].loginID, readerToken: logins[0].reader, device: .unknown),  // 1
                try harness.jobs.loginRead(loginID: logins[1].loginID, readerToken: logins[1].reader, device: .unknown),  // 2
                try harness.jobs.loginRead(loginID: pending.loginID, readerToken: pendingAttempt.reader, device: .unknown),  // 3
                try harness.jobs.loginRead(loginID: logins[2].loginID, readerToken: stranger, device: .unknown),  // 4
                try harness.jobs.loginRead(loginID: logins[3].loginID, readerToken: logins[3].reader, device: .unknown),  // 5
                try harness.jobs.loginRead(loginID: logins[0].loginID, readerToken: logins[0].reader, device: .unknown),  // 6
            ]
            let rows = try await harness.pool.query(harness.jobs.readStatement.together(reads))
            let answers = Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(Int.self, "n"), $0) })
            #expect(answers.keys.sorted() == [1, 2, 3, 5, 6])
            func answer(_ n: Int) throws -> PostgresRow { try #require(answers[n]) }
            // 1: the first read of S0 creates its session and delivers it.
            let minted = try #require(try answer(1).decode(UUID?.self, "minted_session"))
            #expect(try await harness.job(logins[0].loginID, "session_id", as: UUID?.self) == minted)
            #expect(try await harness.job(logins[0].loginID, "refresh_token_sealed", as: [UInt8]?.self) != nil)
            #expect(try await sessions(of: logins[0].loginID, harness) == 1)
            // 6: the same login read again in the batch: no second session; it saw it undelivered
            // and unminted, so `read` reads again (as when two reads meet alone).
            #expect(try answer(6).decode(UUID?.self, "minted_session") == nil)
            #expect(try answer(6).decode(Bool.self, "delivered") == false)
            // 2: delivered before, within the window: no new session.
            #expect(try answer(2).decode(UUID?.self, "minted_session") == nil)
            #expect(try answer(2).decode(Bool.self, "in_window") == true)
            #expect(try await sessions(of: logins[1].loginID, harness) == 1)
            // 3: still queued.
            #expect(try answer(3).decode(String.self, "state") == "queued")
            // 4: a reader that is not the login's own: no row, and nothing written.
            #expect(try await harness.job(logins[2].loginID, "delivered_at", as: Date?.self) == nil)
            // 5: overtaken by the unlink: nothing written, the read goes alone.
            #expect(try answer(5).decode(Bool.self, "alone_needed") == true)
            #expect(try await harness.job(logins[3].loginID, "state", as: String.self) == "succeeded")
            #expect(try await sessions(of: logins[3].loginID, harness) == 0)
            for n in [1, 2, 3, 6] { #expect(try answer(n).decode(Bool.self, "alone_needed") == false) }

            // Alone, each answers the same way.
            #expect(try await harness.pool.query(harness.jobs.readStatement.alone(reads[3])).isEmpty)
            let alone = try await harness.pool.query(harness.jobs.readStatement.alone(reads[4])).single()
            #expect(try alone.decode(Bool.self, "overtaken") == true)
            #expect(try await harness.job(logins[3].loginID, "failure_code", as: String?.self) == "provider_unlinked")
            #expect(try await sessions(of: logins[3].loginID, harness) == 0)
        }
    }

    @Test("reads that wait for a batch go as one statement; an overtaken login is refused by its own")
    func throughTheBatcher() async throws {
        try await QueueHarness.run { harness in
            let logins = try await succeeded(4, harness)
            try await unlinkByProvider(subject: "S3", harness)
            var jobs = harness.jobs
            let metrics = TestMetrics()
            jobs.reads = GroupCommit(pool: harness.pool, name: "test", concurrentBatches: 1, metricsFactory: metrics)
            let batcher = jobs
            // The first read waits for its job's row lock; the three behind it go as one batch.
            let statuses = try await PostgresConnection.withConnection(configuration: harness.database, logger: harness.logger) {
                holder in
                try await holder.executeSimple("BEGIN")
                try await holder.execute("SELECT 1 FROM login_jobs WHERE login_id = \(logins[0].loginID) FOR UPDATE")
                let first = Task { try await batcher.read(loginID: logins[0].loginID, readerToken: logins[0].reader) }
                try await waitUntil("the first read waits for its job's lock") {
                    try await holder.blocksAnotherSession()
                }
                let behind = logins[1...].map { login in
                    Task { try await batcher.read(loginID: login.loginID, readerToken: login.reader) }
                }
                try await waitUntil("three reads wait for a batch") { batcher.reads.pendingStatements == 3 }
                try await holder.executeSimple("COMMIT")
                var statuses = [try await first.value]
                for task in behind { statuses.append(try await task.value) }
                return statuses
            }
            for (index, status) in statuses.enumerated().prefix(3) {
                let delivery = try #require(status?.success?.delivery, "login \(index)")
                #expect(delivery.isFirstDelivery)
                #expect(try await harness.job(logins[index].loginID, "session_id", as: UUID?.self) == delivery.tokens.sessionID)
                #expect(try await sessions(of: logins[index].loginID, harness) == 1)
            }
            // The first read alone, then the three as one set statement that did not fail.
            #expect(try metrics.expectRecorder("db_group_commit_batch_size", [("group", "test")]).values == [1, 3])
            #expect(try metrics.expectCounter("db_group_commit_fallbacks_total", [("group", "test")]).totalValue == 0)
            #expect(statuses[3]?.failureCode == .providerUnlinked)
            #expect(try await harness.job(logins[3].loginID, "failure_code", as: String?.self) == "provider_unlinked")
            #expect(try await sessions(of: logins[3].loginID, harness) == 0)
            // Read again: the tokens within the window, the same session.
            let again = try #require(try await jobs.read(loginID: logins[1].loginID, readerToken: logins[1].reader)?.success?.delivery)
            #expect(!again.isFirstDelivery)
            #expect(again.tokens.sessionID == statuses[1]?.success?.delivery?.tokens.sessionID)
        }
    }

    @Test("a batch of reads finds its logins by their unique index, whatever the values")
    func readsProbeTheLoginIndex() async throws {
        try await QueueHarness.run { harness in
            try await harness.fillWithFinishedJobs()
            let reader = ReaderToken(String(repeating: "r", count: 43))
            let read = try harness.jobs.loginRead(loginID: UUID(), readerToken: reader, device: .unknown)
            for plan in try await harness.genericPlans([
                harness.jobs.readStatement.alone(read), harness.jobs.readStatement.together([read, read]),
            ]) {
                #expect(plan.contains("login_jobs_login_id_key"), "\(plan)")
                #expect(!plan.contains("Seq Scan on login_jobs"), "\(plan)")
                #expect(!plan.contains("Seq Scan on user_identities"), "\(plan)")
            }
        }
    }
}
