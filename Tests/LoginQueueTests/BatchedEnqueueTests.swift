import Foundation
import TestSupport
import Testing

@testable import LoginQueue
@testable import Postgres

/// Enqueues that arrive while another is being written are group-committed together
/// (``APILoginJobs/enqueues``). A duplicate code, a constraint violation or a cancelled caller in
/// the batch answers only its own login, as it would alone; the others are accepted.
///
/// Each test holds the first enqueue on its attempt's row lock, lets the next ones pile up behind
/// it, then lets them go as one batch; with two batches allowed in flight, the next one passes it.
@Suite("Batched enqueue")
struct BatchedEnqueueTests {
    /// One posted code: its attempt, the code, and the login id the caller proposes.
    private struct Post: Sendable {
        let attempt: StartedAttempt
        let code: String
        var loginID = UUID()
        /// Posted in the stateless flow (a new poll token) instead of with its attempt.
        var withPollToken = false
    }

    private enum Answer: Equatable {
        case accepted(UUID, isNew: Bool)
        case refused(LoginQueueError)
    }

    private func enqueue(_ post: Post, _ jobs: APILoginJobs, _ harness: QueueHarness) async -> Answer {
        do {
            let enqueued = try await jobs.enqueue(
                code: post.code,
                redirectURI: nil,
                reader: post.withPollToken ? .newPollToken : .attempt(post.attempt.reader, state: post.attempt.state),
                provider: harness.configuredProvider,
                loginID: post.loginID
            )
            return .accepted(enqueued.loginID, isNew: enqueued.isNew)
        } catch {
            return .refused(error)
        }
    }

    private func post(_ harness: QueueHarness) async throws -> Post {
        let (attempt, code) = try await harness.startAndMintCode()
        return Post(attempt: attempt, code: code)
    }

    /// A post, the same post again (one login: the re-post answers its id), and its code posted
    /// with another attempt (refused; that attempt stays unused).
    private func postedTwiceAndStolen(_ harness: QueueHarness) async throws -> (Post, repost: Post, stolen: Post) {
        let fine = try await post(harness)
        let other = try await post(harness)
        return (fine, fine, Post(attempt: other.attempt, code: fine.code))
    }

    /// The harness's API side with an enqueue batcher that writes one batch at a time, so that
    /// the posts behind a blocked one wait for it.
    private func oneBatchAtATime(_ harness: QueueHarness) -> APILoginJobs {
        var jobs = harness.jobs
        jobs.enqueues = GroupCommit(pool: harness.pool, name: "test", concurrentBatches: 1)
        return jobs
    }

    /// Enqueues `first` through `jobs` while its attempt row is locked, runs `whileBlocked`, then
    /// releases the lock; returns `whileBlocked`'s result and `first`'s answer.
    private func holdingFirst<Value>(
        _ harness: QueueHarness,
        _ first: Post,
        _ jobs: APILoginJobs,
        whileBlocked: () async throws -> Value
    ) async throws -> (Value, Answer) {
        try await PostgresConnection.withConnection(configuration: harness.database, logger: harness.logger) { holder in
            try await holder.executeSimple("BEGIN")
            try await holder.execute("SELECT 1 FROM login_attempts WHERE id = \(first.attempt.attemptID) FOR UPDATE")
            let firstTask = Task { await enqueue(first, jobs, harness) }
            try await waitUntil("the first enqueue waits for its attempt's lock") {
                try await holder.blocksAnotherSession()
            }
            let result = try await whileBlocked()
            try await holder.executeSimple("COMMIT")
            return (result, await firstTask.value)
        }
    }

    /// Enqueues `first` while its attempt row is locked, then `rest` behind it (cancelling the
    /// one at `cancelledIndex` while it waits), then releases the lock; returns `rest`'s answers.
    private func batch(_ harness: QueueHarness, first: Post, rest: [Post], cancelling cancelledIndex: Int? = nil) async throws -> [Answer] {
        let jobs = oneBatchAtATime(harness)
        let (tasks, firstAnswer) = try await holdingFirst(harness, first, jobs) {
            var tasks: [Task<Answer, Never>] = []
            for (index, post) in rest.enumerated() {
                tasks.append(Task { await enqueue(post, jobs, harness) })
                try await waitUntil("enqueue \(index) waits") { jobs.enqueues.pendingStatements == index + 1 }
            }
            if let cancelledIndex {
                tasks[cancelledIndex].cancel()
                try await waitUntil("the cancelled enqueue is withdrawn") { jobs.enqueues.pendingStatements == rest.count - 1 }
            }
            return tasks
        }
        guard case .accepted = firstAnswer else { throw TestSupportError("the first enqueue was refused") }
        var answers: [Answer] = []
        for task in tasks { answers.append(await task.value) }
        return answers
    }

    private func transactionOf(_ loginID: UUID, _ harness: QueueHarness) async throws -> String {
        try await harness.pool.query("SELECT xmin::text AS xid FROM login_jobs WHERE login_id = \(loginID)").single()
            .decode(String.self, "xid")
    }

    private func isUsed(_ post: Post, _ harness: QueueHarness) async throws -> Bool {
        try await harness.pool.query("SELECT used_at IS NOT NULL AS used FROM login_attempts WHERE id = \(post.attempt.attemptID)")
            .single().decode(Bool.self, "used")
    }

    // A regression would make the second post wait for a lock released only after it: a hang, cut short.
    @Test(
        "with a second batch allowed in flight, a post is written while the first waits for a lock",
        .timeLimit(.minutes(1))
    )
    func secondPostPassesABlockedOne() async throws {
        try await QueueHarness.run { harness in
            let first = try await post(harness)
            let second = try await post(harness)
            var twoInFlight = harness.jobs
            twoInFlight.enqueues = GroupCommit(pool: harness.pool, name: "test", concurrentBatches: 2)
            let jobs = twoInFlight
            // The first still waits (its lock is held until `holdingFirst` commits).
            let (secondAnswer, firstAnswer) = try await holdingFirst(harness, first, jobs) {
                await enqueue(second, jobs, harness)
            }
            #expect(secondAnswer == .accepted(second.loginID, isNew: true))
            #expect(firstAnswer == .accepted(first.loginID, isNew: true))
        }
    }

    @Test("the codes posted while another is written are inserted by one transaction")
    func postsArrivingTogetherShareOneCommit() async throws {
        try await QueueHarness.run { harness in
            let first = try await post(harness)
            var rest: [Post] = []
            for _ in 0..<5 { rest.append(try await post(harness)) }
            let answers = try await batch(harness, first: first, rest: rest)
            #expect(answers == rest.map { .accepted($0.loginID, isNew: true) })
            var transactions: Set<String> = []
            for post in rest { transactions.insert(try await transactionOf(post.loginID, harness)) }
            #expect(transactions.count == 1)
            #expect(!transactions.contains(try await transactionOf(first.loginID, harness)))
        }
    }

    @Test("a re-post, a stolen code and a second code for one attempt are refused inside the batch's one INSERT, as alone")
    func refusalsInsideOneInsert() async throws {
        try await QueueHarness.run { harness in
            let first = try await post(harness)
            let (fine, repost, stolen) = try await postedTwiceAndStolen(harness)
            // Two codes for one attempt: the first posted gets it.
            let once = try await post(harness)
            let twice = Post(attempt: once.attempt, code: try await post(harness).code)
            let last = try await post(harness)

            let answers = try await batch(harness, first: first, rest: [fine, repost, stolen, once, twice, last])
            #expect(answers[0] == .accepted(fine.loginID, isNew: true))
            #expect(answers[1] == .accepted(fine.loginID, isNew: false))
            #expect(answers[2] == .refused(LoginQueueError(.codeAlreadySubmitted)))
            #expect(answers[3] == .accepted(once.loginID, isNew: true))
            #expect(answers[4] == .refused(LoginQueueError(.attemptAlreadyUsed)))
            #expect(answers[5] == .accepted(last.loginID, isNew: true))
            #expect(!(try await isUsed(stolen, harness)))
            // No fallback: the three jobs were inserted by one transaction.
            var transactions: Set<String> = []
            for post in [fine, once, last] { transactions.insert(try await transactionOf(post.loginID, harness)) }
            #expect(transactions.count == 1)
            // Alone, the refused posts get the same answers.
            #expect(await enqueue(stolen, harness.jobs, harness) == answers[2])
            #expect(await enqueue(twice, harness.jobs, harness) == answers[4])
        }
    }

    @Test("codes posted with poll tokens at the same moment: one INSERT, and a code posted twice is refused once")
    func pollTokenPostsShareOneInsert() async throws {
        try await QueueHarness.run { harness in
            let first = try await post(harness)
            var posts: [Post] = []
            for _ in 0..<3 {
                var post = try await post(harness)
                post.withPollToken = true
                posts.append(post)
            }
            var again = posts[1]
            again.loginID = UUID()
            let answers = try await batch(harness, first: first, rest: [posts[0], posts[1], again, posts[2]])
            #expect(answers[0] == .accepted(posts[0].loginID, isNew: true))
            #expect(answers[1] == .accepted(posts[1].loginID, isNew: true))
            #expect(answers[2] == .refused(LoginQueueError(.codeAlreadySubmitted)))
            #expect(answers[3] == .accepted(posts[2].loginID, isNew: true))
            #expect(await enqueue(again, harness.jobs, harness) == answers[2])
            var transactions: Set<String> = []
            for post in posts { transactions.insert(try await transactionOf(post.loginID, harness)) }
            #expect(transactions.count == 1)
            // Jobs of the stateless flow: no attempt, the allow-list's redirect URI.
            let attempts = try await harness.pool.query(
                "SELECT count(*) AS n FROM login_jobs WHERE login_id = ANY(\(posts.map(\.loginID))) AND attempt_id IS NULL AND redirect_uri IS NOT NULL"
            ).single().decode(Int.self, "n")
            #expect(attempts == 3)
        }
    }

    @Test("a duplicate code, a constraint violation and a cancelled caller answer only their own login, as alone")
    func badPostsSpoilNothing() async throws {
        try await QueueHarness.run { harness in
            let first = try await post(harness)
            let (fine, repost, stolen) = try await postedTwiceAndStolen(harness)
            // A login id that is already taken violates the unique index on login_id.
            var clash = try await post(harness)
            clash.loginID = first.loginID
            let cancelled = try await post(harness)
            let last = try await post(harness)

            let answers = try await batch(harness, first: first, rest: [fine, repost, stolen, clash, cancelled, last], cancelling: 4)
            #expect(answers[0] == .accepted(fine.loginID, isNew: true))
            #expect(answers[1] == .accepted(fine.loginID, isNew: false))
            #expect(answers[2] == .refused(LoginQueueError(.codeAlreadySubmitted)))
            #expect(answers[4] == .refused(LoginQueueError(.internalError)))
            #expect(answers[5] == .accepted(last.loginID, isNew: true))

            // Alone, the clashing post gets the same answer, and neither run used its attempt.
            let alone = await enqueue(clash, harness.jobs, harness)
            #expect(answers[3] == alone)
            #expect(alone == .refused(LoginQueueError(.internalError)))
            #expect(!(try await isUsed(clash, harness)))
            // The cancelled post was never written: its attempt is unused and takes its code now.
            #expect(!(try await isUsed(cancelled, harness)))
            #expect(try await harness.pool.query("SELECT 1 FROM login_jobs WHERE login_id = \(cancelled.loginID)").isEmpty)
            #expect(await enqueue(cancelled, harness.jobs, harness) == .accepted(cancelled.loginID, isNew: true))
            #expect(!(try await isUsed(stolen, harness)))
        }
    }
}
