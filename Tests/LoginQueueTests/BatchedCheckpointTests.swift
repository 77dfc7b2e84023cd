import Accounts
import Foundation
import Testing

@testable import LoginQueue
@testable import Postgres

/// The checkpoints of a batch go as one `UPDATE` (``WorkerLoginJobs/checkpointStatement``):
/// each is fenced as it is alone, so a job that is no longer this worker's keeps its row, and
/// only its caller hears so.
@Suite("Batched checkpoint")
struct BatchedCheckpointTests {
    @Test("one UPDATE checkpoints the jobs still held and leaves a rescued one alone, as alone")
    func fencedInsideOneUpdate() async throws {
        try await QueueHarness.run { harness in
            var loginIDs: [UUID] = []
            for _ in 0..<3 { loginIDs.append(try await harness.enqueueLogin().1.loginID) }
            let jobs = WorkerLoginJobs(
                pool: harness.pool,
                workerID: "checkpoint-test",
                providerNames: [harness.configuredProvider.name],
                accounts: UserAccounts()
            )
            let claimed = try await jobs.claim(limit: 3, lease: .seconds(60)).map { try $0.get() }
            let fences = Dictionary(uniqueKeysWithValues: claimed.map { ($0.loginID, $0.fence) })
            #expect(Set(fences.keys) == Set(loginIDs))
            // Another worker rescued the second job: a new attempt, its lock.
            try await harness.pool.execute(
                "UPDATE login_jobs SET attempt = attempt + 1, locked_by = 'other' WHERE login_id = \(loginIDs[1])"
            )
            let checkpoints = loginIDs.enumerated().map { index, loginID in
                WorkerLoginJobs.Checkpoint(fence: fences[loginID]!, sealedTokens: [UInt8(index), 1, 2])
            }
            let rows = try await harness.pool.query(jobs.checkpointStatement.together(checkpoints))
            #expect(try rows.map { try $0.decode(Int.self, "n") }.sorted() == [1, 3])
            for (index, loginID) in loginIDs.enumerated() where index != 1 {
                #expect(try await harness.job(loginID, "stage", as: String.self) == "profile")
                #expect(try await harness.job(loginID, "kakao_token_sealed", as: [UInt8]?.self) == [UInt8(index), 1, 2])
                #expect(try await harness.job(loginID, "code_sealed", as: [UInt8]?.self) == nil)
            }
            #expect(try await harness.job(loginIDs[1], "stage", as: String.self) == "exchange")
            #expect(try await harness.job(loginIDs[1], "kakao_token_sealed", as: [UInt8]?.self) == nil)
            #expect(try await harness.job(loginIDs[1], "code_sealed", as: [UInt8]?.self) != nil)
            // Alone, the rescued job's checkpoint is refused the same way; a held one's is written.
            #expect(try await jobs.checkpoint(checkpoints[1].fence, sealedTokens: [9]) == false)
            #expect(try await jobs.checkpoint(checkpoints[0].fence, sealedTokens: [9]) == true)
        }
    }

    // The index of leases (WHERE state = 'running') matches a fence with state = 'running', and
    // with statistics that said no job was running the planner walked it.
    @Test("fenced writes (checkpoints, sign-ins) probe the primary key, even when the statistics say no job is running")
    func fencedWritesProbeThePrimaryKey() async throws {
        try await QueueHarness.run { harness in
            try await harness.fillWithFinishedJobs()
            let jobs = WorkerLoginJobs(
                pool: harness.pool,
                workerID: "checkpoint-test",
                providerNames: [harness.configuredProvider.name],
                accounts: UserAccounts()
            )
            let checkpoint = WorkerLoginJobs.Checkpoint(fence: JobFence(id: 1, attempt: 1), sealedTokens: [1])
            let profile = ProviderProfile(provider: harness.configuredProvider.name, subject: "1")
            let signIn = WorkerLoginJobs.SignIn(
                fence: checkpoint.fence,
                profile: profile,
                sealedProviderToken: nil,
                alone: try jobs.successStatement(checkpoint.fence, profile: profile, linkingTo: nil, sealedProviderToken: nil)
            )
            let statements = [
                jobs.checkpointStatement.alone(checkpoint),
                jobs.checkpointStatement.together([checkpoint, checkpoint]),
                signIn.alone,
                jobs.signInStatement.together([signIn, signIn]),
                // How an outcome locks its job first.
                "SELECT id FROM login_jobs WHERE \(jobs.fenced(checkpoint.fence)) FOR UPDATE",
            ]
            for plan in try await harness.genericPlans(statements) {
                #expect(plan.contains("Index Scan using login_jobs_pkey"), "\(plan)")
                #expect(!plan.contains("leased_idx"), "\(plan)")
                #expect(!plan.contains("Seq Scan on login_jobs"), "\(plan)")
            }
        }
    }
}
