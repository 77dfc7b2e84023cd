import Foundation
import KakaoEmulator
import LocalPostgres
import Logging
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// The database goes away under a running worker and comes back.
@Suite("Database restart")
struct RestartTests {
    @Test("PostgreSQL restarted during a run: every accepted login completes")
    func restartDuringRun() async throws {
        try await withPrivateCluster { cluster in
            let database = PostgresConfiguration(connectionString: cluster.connectionString(), connectTimeout: .seconds(2))
            try await withPool(database) { pool in
                _ = try await Migrator(directory: try TestEnvironment.migrationsDirectory(), logger: TestEnvironment.logger).migrate(
                    pool: pool
                )
            }
            try await QueueHarness.run(database: database) { harness in
                try harness.faults(KakaoEmulatorFaults(latencyMs: 20, jitterMs: 20))
                try await harness.withWorker(QueueHarness.workerConfiguration(concurrency: 16, lease: .seconds(10))) {
                    var accepted: [(ReaderToken, UUID)] = []
                    var refused = 0
                    for index in 0..<120 {
                        if index == 40 { try await cluster.restart(mode: "fast") }
                        do {
                            let (attempt, enqueued) = try await harness.enqueueLogin()
                            accepted.append((attempt.reader, enqueued.loginID))
                        } catch let error as LoginQueueError where error.code == .databaseUnavailable {
                            refused += 1  // never a 202 that was not committed
                        }
                    }
                    #expect(accepted.count >= 80)
                    for (reader, loginID) in accepted {
                        let result = try await harness.waitForResult(loginID, reader: reader, limit: .seconds(120))
                        #expect(result.success != nil, "login \(loginID) ended \(result)")
                    }
                }
            }
        }
    }
}
