import Foundation
import LocalPostgres
import Postgres
import TestSupport
import Testing

/// The pool survives a PostgreSQL restart without restarting the process, and never hangs
/// while the server is down. Uses a private cluster (never the shared test server).
@Suite("Server restarts", .serialized, .timeLimit(.minutes(3)))
struct RestartTests {
    @Test("idle connections are replaced after a restart; calls during the outage fail fast")
    func restartWhileIdle() async throws {
        try await withPrivateCluster { cluster in
            let configuration = PostgresConfiguration(connectionString: cluster.connectionString())
            try await withPool(configuration, options: .init(maximumConnections: 4, acquireTimeout: .seconds(30))) { pool in
                // Open all four connections.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 { group.addTask { _ = try await pool.query("SELECT pg_sleep(0.2)") } }
                    try await group.waitForAll()
                }
                #expect(pool.statistics.open == 4)

                try await cluster.stop()
                // Down: every call fails with a connection error, none hangs.
                try await withThrowingTaskGroup(of: PostgresError.Code?.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            do {
                                _ = try await pool.query("SELECT 1")
                                return nil
                            } catch let error as PostgresError {
                                return error.code
                            }
                        }
                    }
                    for try await code in group {
                        #expect(code == .connectionFailed || code == .connectionLost)
                    }
                }

                try await cluster.start()
                // Up again: every call succeeds, on fresh connections.
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await pool.query("SELECT 5 AS five").single().decode(Int.self, "five") }
                    }
                    for try await five in group { #expect(five == 5) }
                }
            }
        }
    }

    @Test("a restart in the middle of a query fails that query and nothing else")
    func restartMidQuery() async throws {
        try await withPrivateCluster { cluster in
            let configuration = PostgresConfiguration(connectionString: cluster.connectionString())
            try await withPool(configuration, options: .init(maximumConnections: 2)) { pool in
                let running = Task { try await pool.query("SELECT pg_sleep(300)") }
                try await PostgresConnection.withConnection(configuration: configuration, logger: TestEnvironment.logger) {
                    admin in
                    try await waitUntil("the sleep runs") {
                        !(try await admin.query(
                            "SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(300)' AND state = 'active'"
                        ).isEmpty)
                    }
                }
                try await cluster.restart()
                let error = try await #require(throws: PostgresError.self) { try await running.value }
                #expect(error.code == .connectionLost)
                #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
                let inTransaction = try await pool.withTransaction { conn in
                    try await conn.query("SELECT 2 AS two").single().decode(Int.self, "two")
                }
                #expect(inTransaction == 2)
            }
        }
    }
}
