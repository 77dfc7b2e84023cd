import Foundation
import MetricsTestKit
import TestSupport
import Testing

@testable import LoginQueue
@testable import Postgres

/// The attempts started together are written as one statement (``LoginAttempts/insertStatement(lifetime:cap:)``):
/// each is admitted or refused by its client's cap on pending attempts as it would be alone,
/// counting the batch's earlier attempts.
@Suite("Batched attempt start")
struct BatchedAttemptTests {
    /// The harness's attempts with a cap of 3 pending attempts per client.
    private func attempts(_ harness: QueueHarness) -> LoginAttempts {
        LoginAttempts(
            pool: harness.pool,
            sealing: harness.sealing,
            provider: harness.configuredProvider,
            configuration: LoginQueueConfiguration(maxPendingAttemptsPerClient: 3),
            logger: harness.logger
        )
    }

    private func attempt(_ clientKey: String?, _ harness: QueueHarness) -> LoginAttempts.NewAttempt {
        LoginAttempts.NewAttempt(
            id: UUID(),
            provider: harness.configuredProvider.name,
            stateHash: SecretToken.sha256(SecretToken.random()),
            bindingHash: SecretToken.sha256(SecretToken.random()),
            sealedVerifier: [1, 2, 3],
            nonce: SecretToken.random(bytes: 16),
            redirectURI: QueueHarness.redirectURI,
            clientKey: clientKey,
            linkUserID: nil
        )
    }

    private func stored(_ ids: [UUID], _ harness: QueueHarness) async throws -> Set<UUID> {
        Set(try await harness.pool.query("SELECT id FROM login_attempts WHERE id = ANY(\(ids))").map { try $0.decode(UUID.self, "id") })
    }

    @Test("one statement admits and refuses by each client's cap as alone, the batch's earlier attempts counted")
    func capAcrossTheBatch() async throws {
        try await QueueHarness.run { harness in
            let attempts = attempts(harness)
            // Client X has one attempt pending already; the cap is 3.
            #expect(try await harness.pool.execute(attempts.insertStatement.alone(attempt("203.0.113.7", harness))) == 1)
            let batch = [
                attempt("203.0.113.7", harness),  // 1: X's second
                attempt(nil, harness),  // 2: no cap
                attempt("203.0.113.7", harness),  // 3: X's third
                attempt("198.51.100.0/24", harness),  // 4: another client
                attempt("203.0.113.7", harness),  // 5: X's fourth: refused
                attempt("203.0.113.7", harness),  // 6: refused
            ]
            let rows = try await harness.pool.query(attempts.insertStatement.together(batch))
            #expect(try rows.map { try $0.decode(Int.self, "n") }.sorted() == [1, 2, 3, 4])
            #expect(try await stored(batch.map(\.id), harness) == Set([0, 1, 2, 3].map { batch[$0].id }))
            // Alone, the refused ones are refused the same way.
            #expect(try await harness.pool.execute(attempts.insertStatement.alone(batch[4])) == 0)
            #expect(try await harness.pool.execute(attempts.insertStatement.alone(attempt("198.51.100.0/24", harness))) == 1)
        }
    }

    @Test("starts that wait for a batch go as one statement; the ones over the cap are refused")
    func throughTheBatcher() async throws {
        try await QueueHarness.run { harness in
            var attempts = attempts(harness)
            let metrics = TestMetrics()
            attempts.inserts = GroupCommit(pool: harness.pool, name: "test", concurrentBatches: 1, metricsFactory: metrics)
            let batcher = attempts
            let start = { @Sendable (client: String) async -> Result<StartedAttempt, LoginQueueError> in
                do throws(LoginQueueError) {
                    return .success(try await batcher.start(redirectURI: nil, clientKey: client))
                } catch {
                    return .failure(error)
                }
            }
            // The first start waits for the table's lock; the four behind it go as one batch.
            let results = try await PostgresConnection.withConnection(configuration: harness.database, logger: harness.logger) {
                holder in
                try await holder.executeSimple("BEGIN")
                try await holder.executeSimple("LOCK TABLE login_attempts IN SHARE MODE")
                let first = Task { await start("203.0.113.7") }
                try await waitUntil("the first start waits for the table's lock") {
                    try await holder.blocksAnotherSession()
                }
                var behind: [Task<Result<StartedAttempt, LoginQueueError>, Never>] = []
                for client in ["203.0.113.7", "198.51.100.7", "203.0.113.7", "203.0.113.7"] {
                    behind.append(Task { await start(client) })
                    try await waitUntil("the start waits for a batch") { batcher.inserts.pendingStatements == behind.count }
                }
                try await holder.executeSimple("COMMIT")
                var results = [await first.value]
                for task in behind { results.append(await task.value) }
                return results
            }
            #expect(try metrics.expectRecorder("db_group_commit_batch_size", [("group", "test")]).values == [1, 4])
            #expect(try metrics.expectCounter("db_group_commit_fallbacks_total", [("group", "test")]).totalValue == 0)
            let admitted = results.map { if case .success = $0 { true } else { false } }
            #expect(admitted == [true, true, true, true, false])
            if case .failure(let error) = results[4] { #expect(error == LoginQueueError(.tooManyPendingAttempts)) }
            let ids = results.compactMap { try? $0.get().attemptID }
            #expect(try await stored(ids, harness).count == 4)
        }
    }
}
