import Accounts
import Foundation
import KakaoEmulator
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// The operators' actions on the queue (`kakao-login queue …`), against a real worker: each one
/// guarded statement that does what it says or refuses with a reason, changing nothing.
@Suite("Queue operations")
struct QueueOperationsTests {
    @Test("pause: the worker claims nothing of a paused provider and says so; resume: it claims at once")
    func pauseAndResume() async throws {
        try await QueueHarness.run { harness in
            let operations = QueueOperations(pool: harness.pool, configuration: harness.configuration)
            let (pause, new) = try await operations.pause(provider: "kakao_emulator", reason: "incident")
            #expect(new && pause.provider == "kakao_emulator" && pause.reason == "incident")
            #expect(try await operations.pause(provider: "kakao_emulator", reason: nil).new == false)
            let (attempt, enqueued) = try await harness.enqueueLogin()
            let worker = LoginWorker(
                pool: harness.pool,
                listenerConfiguration: harness.database,
                providers: [harness.provider],
                sealing: harness.sealing,
                accounts: .init(),
                configuration: QueueHarness.workerConfiguration(),
                logger: harness.logger
            )
            try await withServiceGroup([worker], logger: harness.logger) {
                try await waitUntil("the worker saw the pause") { worker.pauses.providers == ["kakao_emulator"] }
                // A few claims go by (the poll interval is short in tests): none takes the job.
                try await Task.sleep(for: .milliseconds(600))
                #expect(try await harness.job(enqueued.loginID, "state", as: String.self) == "queued")
                #expect(harness.emulator.stats.tokenRequestsTotal == 0)

                #expect(try await operations.resume(provider: "kakao_emulator").map(\.provider) == ["kakao_emulator"])
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.success != nil)
                try await waitUntil("the worker saw the resume") { worker.pauses.providers.isEmpty }
                #expect(try await operations.resume(provider: nil).isEmpty, "nothing left to resume")
            }
        }
    }

    @Test("pausing every provider stops account deletions too; pausing one provider does not")
    func pauseAll() async throws {
        try await QueueHarness.run { harness in
            let operations = QueueOperations(pool: harness.pool, configuration: harness.configuration)
            let userID = try await harness.withWorker { try await harness.signUp(kakaoUserID: 6_000_001) }
            _ = try await operations.pause(provider: "kakao_emulator", reason: nil)
            _ = try await operations.pause(provider: "*", reason: nil)
            let deletionID = try await harness.deletions.request(userID: userID)
            try await harness.withWorker {
                try await Task.sleep(for: .milliseconds(600))
                #expect(try await harness.deletions.status(deletionID: deletionID, userID: userID) == .pending)
                #expect(try await operations.resume(provider: "*").map(\.provider) == ["*"])
                let status = try await harness.waitForDeletion(deletionID, userID: userID)
                guard case .succeeded = status else {
                    Issue.record("deletion ended \(status)")
                    return
                }
            }
            #expect(try await operations.pauses().map(\.provider) == ["kakao_emulator"], "only that row was lifted")
        }
    }

    @Test(
        "cancel: a queued login (code or native token) fails canceled and its reader hears it; running, finished, deletions and unknown ids are refused"
    )
    func cancel() async throws {
        try await QueueHarness.run { harness in
            let operations = QueueOperations(pool: harness.pool, configuration: harness.configuration)
            let (attempt, enqueued) = try await harness.enqueueLogin()
            #expect(try await operations.cancel(publicID: enqueued.loginID) == .canceled)
            #expect(try await harness.jobs.read(loginID: enqueued.loginID, readerToken: attempt.reader)?.failureCode == .canceled)
            #expect(try await harness.job(enqueued.loginID, "code_sealed", as: [UInt8]?.self) == nil)
            #expect(try await operations.cancel(publicID: enqueued.loginID) == .refused("the job is failed, not queued"))
            #expect(try await operations.cancel(publicID: UUID()) == .notFound)

            let tokens = ProviderTokens(accessToken: String(repeating: "k", count: 40), idToken: nil)
            let native = ConfiguredProvider(
                provider: KakaoLoginProvider(client: harness.client, name: "kakao_emulator", appID: 100_001),
                route: "kakao",
                redirectURIs: QueueHarness.redirectURIs
            )
            let tokenLogin = try await harness.jobs.enqueue(appTokens: tokens, nonce: nil, provider: native)
            #expect(try await operations.cancel(publicID: tokenLogin.loginID) == .canceled, "a native app's token login too")
            #expect(try await harness.job(tokenLogin.loginID, "kakao_token_sealed", as: [UInt8]?.self) == nil)

            let userID = try await harness.withWorker { try await harness.signUp(kakaoUserID: 6_000_002) }
            let deletionID = try await harness.deletions.request(userID: userID)
            guard case .refused = try await operations.cancel(publicID: deletionID) else {
                Issue.record("a deletion was canceled")
                return
            }
            let (_, running) = try await harness.enqueueLogin()
            try await harness.pool.execute(
                """
                UPDATE login_jobs SET state = 'running', attempt = 1, locked_by = 'elsewhere', started_at = now(),
                       lease_expires_at = now() + interval '1 minute', exchange_sent_at = now()
                WHERE login_id = \(running.loginID)
                """
            )
            guard case .refused = try await operations.cancel(publicID: running.loginID) else {
                Issue.record("a running job was canceled")
                return
            }
            #expect(try await harness.job(running.loginID, "state", as: String.self) == "running")
        }
    }

    @Test("purge: finished jobs past the age go, a failed deletion and newer jobs stay")
    func purge() async throws {
        let queue = LoginQueueConfiguration(deletionDeadline: .seconds(1))
        try await QueueHarness.run(queue: queue) { harness in
            let operations = QueueOperations(pool: harness.pool, configuration: queue)
            let (old, recent) = try await harness.withWorker {
                let old = try await harness.signUp(kakaoUserID: 6_000_003)
                let recent = try await harness.signUp(kakaoUserID: 6_000_004)
                return (old, recent)
            }
            try harness.faults(KakaoEmulatorFaults(errorRate: 1))
            let deletionID = try await harness.deletions.request(userID: old)
            try await harness.withWorker { _ = try await harness.waitForDeletion(deletionID, userID: old) }
            try await harness.pool.execute(
                """
                UPDATE login_jobs SET finished_at = now() - interval '3 hours', created_at = now() - interval '3 hours 1 minute',
                                      deadline_at = now() - interval '3 hours'
                WHERE user_id = \(old)
                """
            )
            let (jobs, _) = try await operations.purge(olderThan: .seconds(7200))
            #expect(jobs == 1, "the old login went; its failed deletion stays")
            #expect(try await harness.jobCount(kind: "account_deletion") == 1)
            let left = try await harness.pool.query("SELECT count(*) AS n FROM login_jobs WHERE user_id = \(recent)").single()
            #expect(try left.decode(Int.self, "n") == 1)
        }
    }
}
