import Accounts
import Foundation
import TestSupport
import Testing

@testable import LoginQueue
@testable import Postgres

/// The sign-ins of a batch go as one statement (``WorkerLoginJobs/signInStatement``): each job
/// is fenced, signed up or in, or refused, as it would be alone; a batch that cannot be one
/// statement (two sign-ins of one identity) is written one sign-in at a time.
@Suite("Batched sign-in")
struct BatchedSignInTests {
    private func workerJobs(_ harness: QueueHarness) -> WorkerLoginJobs {
        WorkerLoginJobs(
            pool: harness.pool,
            workerID: "sign-in-test",
            providerNames: [harness.configuredProvider.name],
            accounts: UserAccounts()
        )
    }

    /// `count` logins enqueued and claimed, in the order they were enqueued.
    private func claimed(_ count: Int, _ harness: QueueHarness, _ jobs: WorkerLoginJobs) async throws -> [(loginID: UUID, fence: JobFence)]
    {
        var loginIDs: [UUID] = []
        for _ in 0..<count { loginIDs.append(try await harness.enqueueLogin().1.loginID) }
        let fences = Dictionary(
            uniqueKeysWithValues: try await jobs.claim(limit: count, lease: .seconds(60)).map { try $0.get() }.map {
                ($0.loginID, $0.fence)
            }
        )
        return try loginIDs.map { ($0, try #require(fences[$0])) }
    }

    private func profile(_ subject: String, _ harness: QueueHarness, scopes: [String]? = nil) -> ProviderProfile {
        ProviderProfile(
            provider: harness.configuredProvider.name,
            subject: subject,
            nickname: "user \(subject)",
            email: "\(subject)@example.com",
            emailVerified: true,
            consentScopes: scopes
        )
    }

    private func signIn(_ fence: JobFence, _ profile: ProviderProfile, _ jobs: WorkerLoginJobs) throws -> WorkerLoginJobs.SignIn {
        WorkerLoginJobs.SignIn(
            fence: fence,
            profile: profile,
            sealedProviderToken: [7],
            alone: try jobs.successStatement(fence, profile: profile, linkingTo: nil, sealedProviderToken: [7])
        )
    }

    private func isWritten(_ recorded: WorkerLoginJobs.Recorded) -> Bool {
        if case .written = recorded { true } else { false }
    }

    private func identity(_ subject: String, _ harness: QueueHarness) async throws -> PostgresRow {
        try await harness.pool.query(
            "SELECT user_id, login_count, consent_scopes, unlinked_at IS NOT NULL AS unlinked FROM user_identities WHERE subject = \(subject)"
        ).single()
    }

    @Test("one statement signs up, signs in and refuses as alone, and leaves a rescued job alone")
    func mixedBatch() async throws {
        try await QueueHarness.run { harness in
            let jobs = workerJobs(harness)
            let logins = try await claimed(6, harness, jobs)
            // Two earlier sign-ins, alone: B's identity exists; D's exists, then the provider
            // unlinks it while the batch's logins run.
            #expect(
                isWritten(
                    try await jobs.record(
                        .succeeded(profile("B", harness, scopes: ["profile_nickname"]), linkingTo: nil, sealedProviderToken: nil),
                        for: logins[0].fence
                    )
                )
            )
            #expect(
                isWritten(
                    try await jobs.record(.succeeded(profile("D", harness), linkingTo: nil, sealedProviderToken: nil), for: logins[1].fence)
                )
            )
            let userB = try await identity("B", harness).decode(UUID.self, "user_id")
            try await harness.pool.execute("UPDATE user_identities SET unlinked_at = now(), unlinked_by = 'provider' WHERE subject = 'D'")
            // Another worker rescued the job of C: a new attempt, its lock.
            try await harness.pool.execute(
                "UPDATE login_jobs SET attempt = attempt + 1, locked_by = 'other' WHERE login_id = \(logins[4].loginID)"
            )
            let batch = [
                try signIn(logins[2].fence, profile("A", harness, scopes: ["profile_nickname", "account_email"]), jobs),
                try signIn(logins[3].fence, profile("B", harness), jobs),
                try signIn(logins[4].fence, profile("C", harness), jobs),
                try signIn(logins[5].fence, profile("D", harness), jobs),
            ]
            let rows = try await harness.pool.query(jobs.signInStatement.together(batch))
            let answers = Dictionary(
                uniqueKeysWithValues: try rows.map { (try $0.decode(Int.self, "n"), try $0.decode(String?.self, "refusal")) }
            )
            #expect(answers == [1: nil, 2: nil, 4: "provider_unlinked"])

            // A: signed up, its consent items kept sorted.
            let a = try await identity("A", harness)
            #expect(try await harness.job(logins[2].loginID, "state", as: String.self) == "succeeded")
            #expect(try await harness.job(logins[2].loginID, "is_new_user", as: Bool.self) == true)
            #expect(try await harness.job(logins[2].loginID, "user_id", as: UUID.self) == (try a.decode(UUID.self, "user_id")))
            #expect(try a.decode([String]?.self, "consent_scopes") == ["account_email", "profile_nickname"])
            // B: signed in to the same user, its consent items as they were (the provider did not say).
            let b = try await identity("B", harness)
            #expect(try await harness.job(logins[3].loginID, "is_new_user", as: Bool.self) == false)
            #expect(try await harness.job(logins[3].loginID, "user_id", as: UUID.self) == userB)
            #expect(try b.decode(Int.self, "login_count") == 2)
            #expect(try b.decode([String]?.self, "consent_scopes") == ["profile_nickname"])
            // C: untouched, as the rescuer left it; no identity.
            #expect(try await harness.job(logins[4].loginID, "state", as: String.self) == "running")
            #expect(try await harness.job(logins[4].loginID, "locked_by", as: String?.self) == "other")
            #expect(try await harness.pool.query("SELECT 1 FROM user_identities WHERE subject = 'C'").isEmpty)
            // D: refused, its secrets dropped; the identity still unlinked.
            #expect(try await harness.job(logins[5].loginID, "failure_code", as: String?.self) == "provider_unlinked")
            #expect(try await harness.job(logins[5].loginID, "code_sealed", as: [UInt8]?.self) == nil)
            #expect(try await identity("D", harness).decode(Bool.self, "unlinked") == true)
            // Alone, the rescued job's sign-in is refused the same way.
            #expect(try await harness.pool.query(batch[2].alone).isEmpty)
        }
    }

    @Test("two sign-ins of one identity in a batch: each is written alone, one signs up and one signs in")
    func oneIdentityTwice() async throws {
        try await QueueHarness.run { harness in
            var jobs = workerJobs(harness)
            let logins = try await claimed(3, harness, jobs)
            // One statement cannot upsert the identity twice.
            let twice = [
                try signIn(logins[1].fence, profile("A", harness), jobs), try signIn(logins[2].fence, profile("A", harness), jobs),
            ]
            await #expect(throws: PostgresError.self) { try await harness.pool.query(jobs.signInStatement.together(twice)) }
            #expect(try await harness.job(logins[1].loginID, "state", as: String.self) == "running")

            // Through the batcher: the first sign-in waits for its job's row lock; the two behind it go as one batch.
            jobs.completions = GroupCommit(pool: harness.pool, name: "test", concurrentBatches: 1)
            let batcher = jobs
            let first = try await PostgresConnection.withConnection(configuration: harness.database, logger: harness.logger) { holder in
                try await holder.executeSimple("BEGIN")
                try await holder.execute("SELECT 1 FROM login_jobs WHERE login_id = \(logins[0].loginID) FOR UPDATE")
                let first = Task {
                    try await batcher.record(
                        .succeeded(profile("Z", harness), linkingTo: nil, sealedProviderToken: nil),
                        for: logins[0].fence
                    )
                }
                try await waitUntil("the first sign-in waits for its job's lock") {
                    try await holder.blocksAnotherSession()
                }
                let behind = (1...2).map { index in
                    Task {
                        try await batcher.record(
                            .succeeded(profile("A", harness), linkingTo: nil, sealedProviderToken: nil),
                            for: logins[index].fence
                        )
                    }
                }
                try await waitUntil("both sign-ins wait for a batch") { batcher.completions.pendingStatements == 2 }
                try await holder.executeSimple("COMMIT")
                for task in behind { #expect(isWritten(try await task.value)) }
                return try await first.value
            }
            #expect(isWritten(first))
            let newUser = [
                try await harness.job(logins[1].loginID, "is_new_user", as: Bool.self),
                try await harness.job(logins[2].loginID, "is_new_user", as: Bool.self),
            ]
            #expect(newUser.sorted { !$0 && $1 } == [false, true])
            let user = try await identity("A", harness).decode(UUID.self, "user_id")
            #expect(try await harness.job(logins[1].loginID, "user_id", as: UUID.self) == user)
            #expect(try await harness.job(logins[2].loginID, "user_id", as: UUID.self) == user)
            #expect(try await identity("A", harness).decode(Int.self, "login_count") == 2)
        }
    }
}
