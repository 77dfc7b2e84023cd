import Foundation
import KakaoAPI
import KakaoEmulator
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// Account deletions through the login queue, against the Kakao emulator over real sockets.
@Suite("Account deletion through the queue")
struct AccountDeletionTests {
    @Test("a deletion unlinks at Kakao with the admin key, then erases the account; the same Kakao user comes back as a new user")
    func deletesAndForgets() async throws {
        try await QueueHarness.run { harness in
            try await harness.withWorker {
                let userID = try await harness.signUp(kakaoUserID: 5_000_001)
                let deletionID = try await harness.deletions.request(userID: userID)
                #expect(try await harness.deletions.request(userID: userID) == deletionID, "deleting twice is one deletion")
                let status = try await harness.waitForDeletion(deletionID, userID: userID)
                guard case .succeeded = status else {
                    Issue.record("deletion ended \(status)")
                    return
                }
                try await harness.expectErased(userID, disconnected: true)
                #expect(harness.emulator.stats.unlinkTotal == 1)
                #expect(try await harness.jobCount(kind: "account_deletion") == 1)

                let again = try await harness.signUp(kakaoUserID: 5_000_001)
                #expect(again != userID, "a deleted user who logs in again is a new user")
                let identityOwner = try await harness.pool.query(
                    "SELECT user_id FROM user_identities WHERE subject = '5000001'"
                ).single().decode(UUID.self, "user_id")
                #expect(identityOwner == again)
                try await harness.expectErased(userID, disconnected: false, identityMoved: true)
            }
        }
    }

    @Test("Kakao down past the deadline: the account is erased anyway, the job fails kakao_unavailable, and queue retry finishes it")
    func providerDownThenRetried() async throws {
        let queue = LoginQueueConfiguration(deletionDeadline: .seconds(2))
        try await QueueHarness.run(queue: queue) { harness in
            try await harness.withWorker {
                let userID = try await harness.signUp(kakaoUserID: 5_000_002)
                try harness.faults(KakaoEmulatorFaults(errorRate: 1))
                let deletionID = try await harness.deletions.request(userID: userID)
                let status = try await harness.waitForDeletion(deletionID, userID: userID)
                guard case .failed(let code, _, _) = status else {
                    Issue.record("deletion ended \(status)")
                    return
                }
                #expect(code == .kakaoUnavailable)
                try await harness.expectErased(userID, disconnected: false)
                #expect(harness.emulator.stats.unlinkTotal >= 1)

                try harness.faults(.none)
                let operations = QueueOperations(pool: harness.pool, configuration: queue)
                #expect(try await operations.retry(publicID: deletionID) == .requeued(kind: "account_deletion"))
                let retried = try await harness.waitForDeletion(deletionID, userID: userID)
                guard case .succeeded = retried else {
                    Issue.record("the retry ended \(retried)")
                    return
                }
                try await harness.expectErased(userID, disconnected: true)
                #expect(try await operations.retry(publicID: deletionID) == .refused("the job is succeeded, not failed"))
                #expect(try await operations.retry(publicID: UUID()) == .notFound)
            }
        }
    }

    @Test("a user who already left the app at Kakao (-101) is deleted all the same")
    func alreadyUnlinkedAtKakao() async throws {
        try await QueueHarness.run { harness in
            try await harness.withWorker {
                let userID = try await harness.signUp(kakaoUserID: 5_000_003)
                _ = try await harness.client.unlink(userID: 5_000_003)
                let deletionID = try await harness.deletions.request(userID: userID)
                let status = try await harness.waitForDeletion(deletionID, userID: userID)
                guard case .succeeded = status else {
                    Issue.record("deletion ended \(status)")
                    return
                }
                #expect(harness.emulator.stats.unlinkTotal == 2)
            }
        }
    }

    @Test("the operator's psql file retries a failed deletion as the command does")
    func operatorSQLRetriesADeletion() async throws {
        let queue = LoginQueueConfiguration(deletionDeadline: .seconds(1))
        try await QueueHarness.run(queue: queue) { harness in
            let userID = try await harness.withWorker { try await harness.signUp(kakaoUserID: 5_000_004) }
            try harness.faults(KakaoEmulatorFaults(errorRate: 1))
            let deletionID = try await harness.deletions.request(userID: userID)
            try await harness.withWorker { _ = try await harness.waitForDeletion(deletionID, userID: userID) }
            try harness.faults(.none)
            let sql = try String(
                contentsOfFile: try TestEnvironment.migrationsDirectory() + "/../ops/requeue_failed_job.sql",
                encoding: .utf8
            )
            .replacingOccurrences(of: ":'id'", with: "'\(deletionID.uuidString.lowercased())'")
            let statement = sql.components(separatedBy: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
            #expect(try await harness.pool.query(SQLQuery(unsafeSQL: statement)).count == 1)
            let status = try await harness.withWorker { try await harness.waitForDeletion(deletionID, userID: userID) }
            guard case .succeeded = status else {
                Issue.record("the retry ended \(status)")
                return
            }
        }
    }

    @Test("a worker SIGKILLed while Kakao's unlink is in flight: another worker completes the deletion")
    func workerKilledDuringDeletion() async throws {
        try await QueueHarness.run { harness in
            let userID = try await harness.withWorker { try await harness.signUp(kakaoUserID: 5_000_005) }
            try harness.faults(KakaoEmulatorFaults(latencyMs: 1500))
            let deletionID = try await harness.deletions.request(userID: userID)
            let worker = try WorkerProcess(concurrency: 4, environment: try harness.workerEnvironment())
            try await waitUntil("the unlink is in flight") { harness.emulator.stats.faultsLatencyTotal >= 1 }
            worker.kill()
            try await worker.waitForExit()
            #expect(try await harness.job(deletionID, "state", as: String.self) == "running")
            try harness.faults(.none)
            let status = try await harness.withWorker(QueueHarness.workerConfiguration(lease: .seconds(2))) {
                try await harness.waitForDeletion(deletionID, userID: userID)
            }
            guard case .succeeded = status else {
                Issue.record("deletion ended \(status); worker log: \(worker.log)")
                return
            }
            try await harness.expectErased(userID, disconnected: true)
            #expect(try await harness.job(deletionID, "attempt", as: Int16.self) == 2)
            #expect(harness.emulator.stats.unlinkTotal >= 1)
        }
    }
}

extension QueueHarness {
    var deletions: APIAccountDeletions { APIAccountDeletions(pool: pool, configuration: configuration, logger: logger) }

    /// Logs `kakaoUserID` in through the queue (a worker must run): the app user's id.
    func signUp(kakaoUserID: Int64) async throws -> UUID {
        let (attempt, enqueued) = try await enqueueLogin(userID: kakaoUserID)
        let result = try await waitForResult(enqueued.loginID, reader: attempt.reader)
        return try #require(result.success?.userID, "the login ended \(result)")
    }

    /// Waits until the deletion is no longer pending (a worker must run).
    func waitForDeletion(_ deletionID: UUID, userID: UUID) async throws -> AccountDeletionStatus {
        var status: AccountDeletionStatus?
        try await waitUntil("deletion \(deletionID) finished", limit: .seconds(60)) {
            status = try await deletions.status(deletionID: deletionID, userID: userID)
            return status != nil && status != .pending
        }
        return try #require(status)
    }

    /// The user is deleted with no personal data left, every session ended, and each identity
    /// unlinked with no provider profile; `disconnected`: the provider confirmed it.
    func expectErased(_ userID: UUID, disconnected: Bool, identityMoved: Bool = false) async throws {
        let user = try await pool.query(
            """
            SELECT deleted_at IS NOT NULL AS deleted, display_name, email, profile_image_url,
                   (SELECT count(*) FROM sessions WHERE user_id = \(userID) AND revoked_at IS NULL) AS live_sessions,
                   (SELECT count(*) FROM user_identities WHERE user_id = \(userID)) AS identities,
                   (SELECT count(*) FROM user_identities WHERE user_id = \(userID) AND unlinked_by = 'account_deletion'
                      AND nickname IS NULL AND email IS NULL AND profile_image_url IS NULL) AS erased_identities,
                   (SELECT count(*) FROM user_identities WHERE user_id = \(userID) AND provider_disconnected_at IS NOT NULL
                      AND provider_token_sealed IS NULL) AS disconnected
            FROM users WHERE id = \(userID)
            """
        ).single()
        #expect(try user.decode(Bool.self, "deleted"))
        #expect(try user.decode(String?.self, "display_name") == nil)
        #expect(try user.decode(String?.self, "email") == nil)
        #expect(try user.decode(String?.self, "profile_image_url") == nil)
        #expect(try user.decode(Int.self, "live_sessions") == 0)
        let identities = try user.decode(Int.self, "identities")
        #expect(identities == (identityMoved ? 0 : 1))
        #expect(try user.decode(Int.self, "erased_identities") == identities)
        #expect(try user.decode(Int.self, "disconnected") == (disconnected ? identities : 0))
    }

    func jobCount(kind: String) async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM login_jobs WHERE kind = \(kind)").single().decode(Int.self, "n")
    }
}
