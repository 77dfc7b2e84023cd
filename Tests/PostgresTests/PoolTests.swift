import Foundation
import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
import Postgres
import ServiceLifecycle
import ServiceLifecycleTestKit
import TestSupport
import Testing

/// Transactions, waiting and timeouts, broken connections, cancellation and the Service
/// lifecycle of ``PostgresPool``.
@Suite("Pool, transactions, cancellation", .timeLimit(.minutes(3)))
struct PoolTests {
    private func configuration() async throws -> PostgresConfiguration {
        try await TestDatabase.shared.configuration(for: "pool")
    }

    /// A table of the test's own in the suite's database.
    private func makeTable(_ pool: PostgresPool) async throws -> String {
        let name = "items_\(UUID().uuidString.prefix(8).lowercased())"
        try await pool.execute("CREATE TABLE \(identifier: name) (id int8 PRIMARY KEY, note text)")
        return name
    }

    private func count(_ pool: PostgresPool, _ table: String) async throws -> Int64 {
        try await pool.query("SELECT count(*) AS n FROM \(identifier: table)").single().decode(Int64.self, "n")
    }

    private struct Boom: Error {}

    @Test("withTransaction commits on return and rolls back on throw")
    func commitAndRollback() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            let id = try await pool.withTransaction { conn in
                try await conn.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(1)), \("kept"))")
                return Int64(1)
            }
            #expect(id == 1)
            await #expect(throws: Boom.self) {
                try await pool.withTransaction { conn in
                    try await conn.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(2)), \("lost"))")
                    throw Boom()
                }
            }
            #expect(try await count(pool, table) == 1)
            // The connection went back clean: the next statement is not inside a dead transaction.
            #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
        }
    }

    @Test("a caught statement error still fails the transaction at COMMIT")
    func commitAfterCaughtError() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            let error = try await #require(throws: PostgresError.self) {
                try await pool.withTransaction { conn in
                    try await conn.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(1)), \("a"))")
                    _ = try? await conn.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(1)), \("dup"))")
                }
            }
            #expect(error.sqlState == "25P02")
            #expect(try await count(pool, table) == 0)
        }
    }

    @Test("a cancelled transaction rolls back and surfaces CancellationError")
    func cancelledTransactionRollsBack() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            let task = Task {
                try await pool.withTransaction { conn in
                    try await conn.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(1)), \("lost"))")
                    try await conn.execute("SELECT pg_sleep(60)")
                }
            }
            try await waitForActivity(like: "SELECT pg_sleep(60)")
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await count(pool, table) == 0)
        }
    }

    @Test("session settings and per-transaction options")
    func settings() async throws {
        try await withPool(try await configuration()) { pool in
            let session = try await pool.query(
                """
                SELECT current_setting('application_name') AS app, current_setting('TimeZone') AS tz,
                       current_setting('statement_timeout') AS st, current_setting('idle_in_transaction_session_timeout') AS idle,
                       current_setting('synchronous_commit') AS sync
                """
            ).single()
            #expect(try session.decode(String.self, "app") == "kakao-login")
            #expect(try session.decode(String.self, "tz") == "UTC")
            #expect(try session.decode(String.self, "st") == "30s")
            #expect(try session.decode(String.self, "idle") == "1min")
            #expect(try session.decode(String.self, "sync") == "on")

            let options = PostgresTransactionOptions(
                isolationLevel: .repeatableRead,
                synchronousCommit: false,
                statementTimeout: .milliseconds(1500),
                lockTimeout: .milliseconds(250)
            )
            let inside = try await pool.withTransaction(options) { conn in
                try await conn.query(
                    """
                    SELECT current_setting('synchronous_commit') AS sync, current_setting('statement_timeout') AS st,
                           current_setting('lock_timeout') AS lt, current_setting('transaction_isolation') AS iso
                    """
                ).single()
            }
            #expect(try inside.decode(String.self, "sync") == "off")
            #expect(try inside.decode(String.self, "st") == "1500ms")
            #expect(try inside.decode(String.self, "lt") == "250ms")
            #expect(try inside.decode(String.self, "iso") == "repeatable read")
            // SET LOCAL ended with the transaction.
            let after = try await pool.query("SELECT current_setting('synchronous_commit') AS sync").single()
            #expect(try after.decode(String.self, "sync") == "on")
        }
    }

    @Test("a statement timeout is a server error (57014), not a cancellation, and the connection survives")
    func statementTimeout() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            let error = try await #require(throws: PostgresError.self) {
                try await pool.withTransaction(.init(statementTimeout: .milliseconds(50))) { conn in
                    try await conn.execute("SELECT pg_sleep(10)")
                }
            }
            #expect(error.code == .server)
            #expect(error.sqlState == "57014")
            #expect(try await pool.query("SELECT 2 AS two").single().decode(Int.self, "two") == 2)
        }
    }

    @Test("tasks wait for a busy pool in FIFO order")
    func waitersAreServedInOrder() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            let order = NIOLockedValueBox<[String]>([])
            let (holding, holdingContinuation) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await pool.withConnection { _ in
                        holdingContinuation.yield()
                        for await _ in release { break }
                    }
                }
                for await _ in holding { break }
                for name in ["first", "second", "third"] {
                    let waitingBefore = pool.statistics.waiting
                    group.addTask {
                        try await pool.withConnection { conn in
                            order.withLockedValue { $0.append(name) }
                            _ = try await conn.query("SELECT 1")
                        }
                    }
                    try await waitUntil("\(name) waits") { pool.statistics.waiting == waitingBefore + 1 }
                }
                releaseContinuation.yield()
                try await group.waitForAll()
            }
            #expect(order.withLockedValue { $0 } == ["first", "second", "third"])
        }
    }

    @Test("a wait longer than the acquire timeout throws poolTimeout")
    func acquireTimeout() async throws {
        let options = PostgresPool.Options(maximumConnections: 1, acquireTimeout: .milliseconds(200))
        try await withPool(try await configuration(), options: options) { pool in
            try await warmUp(pool)
            try await pool.withConnection { _ in
                let error = try await #require(throws: PostgresError.self) {
                    try await pool.query("SELECT 1")
                }
                #expect(error.code == .poolTimeout)
                #expect(error.description.contains("poolTimeout"))
            }
            // Once the holder is done, the pool serves again.
            #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
        }
    }

    @Test("a waiting task that is cancelled leaves the queue")
    func cancelledWaiter() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            try await pool.withConnection { _ in
                let waiter = Task { try await pool.query("SELECT 1") }
                try await waitUntil("the task waits") { pool.statistics.waiting == 1 }
                waiter.cancel()
                await #expect(throws: CancellationError.self) { try await waiter.value }
                #expect(pool.statistics.waiting == 0)
            }
        }
    }

    @Test("a connection killed while idle is replaced before the next statement")
    func idleConnectionKilled() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            let before = try await backendPID(pool)
            try await terminate(before)
            let after = try await backendPID(pool)
            #expect(after != before)
        }
    }

    @Test("a connection killed mid-statement fails that call with connectionLost, then the pool recovers")
    func connectionKilledMidStatement() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            let error = try await #require(throws: PostgresError.self) { try await killMidStatement(pool, marker: "killed") }
            #expect(error.code == .connectionLost)
            #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
        }
    }

    @Test("a connection killed between statements: reconnected outside a transaction, an error inside one")
    func connectionKilledBetweenStatements() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            // Autocommit: nothing was lost, so the next statement simply runs on a new backend.
            let (before, after) = try await pool.withConnection { conn in
                let before = conn.backendPID
                try await terminate(before)
                let after = try await conn.query("SELECT pg_backend_pid() AS pid").single().decode(Int32.self, "pid")
                return (before, after)
            }
            #expect(before != after)
            // In a transaction: the work so far is gone, so the next statement must fail.
            let table = try await makeTable(pool)
            let error = try await #require(throws: PostgresError.self) {
                try await pool.withTransaction { conn in
                    try await conn.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(1)), \("lost"))")
                    try await terminate(conn.backendPID)
                    try await conn.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(2)), \("after"))")
                }
            }
            #expect(error.code == .connectionLost)
            #expect(try await count(pool, table) == 0)
        }
    }

    @Test("a connection given back inside an open transaction is discarded")
    func openTransactionDiscarded() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            let first = try await pool.withConnection { conn in
                try await conn.execute("BEGIN")
                return conn.backendPID
            }
            let row = try await pool.query("SELECT pg_backend_pid() AS pid, now() = statement_timestamp() AS fresh")
                .single()
            #expect(try row.decode(Int32.self, "pid") != first)
        }
    }

    @Test("cancelling a long query cancels it on the server; the connection stays usable")
    func cancelLongQuery() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            let pid = try await backendPID(pool)
            let task = Task { try await pool.query("SELECT pg_sleep(120)") }
            try await waitForActivity(like: "SELECT pg_sleep(120)")
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            // Same connection, idle and healthy.
            #expect(try await backendPID(pool) == pid)
        }
    }

    @Test("a late cancellation never hits the next query on the connection")
    func cancellationDoesNotLeak() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            for _ in 0..<25 {
                let task = Task { try await pool.query("SELECT pg_sleep(0.002)") }
                task.cancel()
                _ = try? await task.value
                let row = try await pool.query("SELECT pg_sleep(0.01), 7 AS seven").single()
                #expect(try row.decode(Int.self, "seven") == 7)
            }
        }
    }

    @Test("an already cancelled task does not send its statement")
    func cancelledBeforeStart() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await pool.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(1)), \("no"))")
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await count(pool, table) == 0)
        }
    }

    @Test("as a Service: serves queries, then shuts down gracefully and refuses new work")
    func serviceLifecycle() async throws {
        let pool = PostgresPool(configuration: try await configuration(), logger: TestEnvironment.logger)
        try await testGracefulShutdown { trigger in
            let group = ServiceGroup(services: [pool], logger: TestEnvironment.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
                trigger.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        let error = try await #require(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error.code == .poolClosed)
    }

    @Test("metrics: wait and query timers, leased gauge, timeouts")
    func metrics() async throws {
        let metrics = TestMetrics()
        let options = PostgresPool.Options(
            maximumConnections: 1,
            acquireTimeout: .seconds(2),
            name: "metered",
            metricsFactory: metrics
        )
        try await withPool(try await configuration(), options: options) { pool in
            try await warmUp(pool)
            try await pool.withConnection { _ in
                _ = try? await pool.query("SELECT 1")
            }
        }
        let dimensions = [("pool", "metered")]
        #expect(try metrics.expectTimer("db_pool_wait_seconds", dimensions).values.count >= 2)
        #expect(try metrics.expectTimer("db_query_duration_seconds", dimensions).values.count >= 1)
        #expect(try metrics.expectCounter("db_pool_timeouts_total", dimensions).totalValue >= 1)
        #expect(try metrics.expectGauge("db_pool_connections_leased", dimensions).lastValue == 0)
    }

    // MARK: helpers

    /// Gets the pool's connection open even when a busy machine makes connecting slower than
    /// a test's short acquire timeout.
    private func warmUp(_ pool: PostgresPool) async throws {
        try await waitUntil("the pool has a connection") { (try? await pool.query("SELECT 1")) != nil }
    }

    private func backendPID(_ pool: PostgresPool) async throws -> Int32 {
        try await pool.query("SELECT pg_backend_pid() AS pid").single().decode(Int32.self, "pid")
    }
}

/// Ends a backend from an administrative connection.
func terminate(_ pid: Int32) async throws {
    try await PostgresConnection.withConnection(configuration: try TestEnvironment.configuration(), logger: TestEnvironment.logger) {
        admin in
        _ = try await admin.query("SELECT pg_terminate_backend(\(pid))")
        try await waitUntil("backend \(pid) is gone") {
            try await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(pid)").isEmpty
        }
    }
}

/// Runs a long statement (tagged with `marker`) on one of `pool`'s connections and ends its
/// backend from an administrative connection while it runs; throws what the statement threw.
func killMidStatement(_ pool: PostgresPool, marker: String) async throws {
    let statement = "SELECT pg_sleep(60) /* \(marker) */"
    try await pool.withConnection { conn in
        let pid = conn.backendPID
        async let killed: Void = {
            try await waitForActivity(like: statement)
            try await terminate(pid)
        }()
        try await conn.execute(SQLQuery(unsafeSQL: statement))
        try await killed
    }
}

/// Waits until a statement is running on the shared server.
func waitForActivity(like text: String) async throws {
    try await PostgresConnection.withConnection(configuration: try TestEnvironment.configuration(), logger: TestEnvironment.logger) {
        admin in
        try await waitUntil("\(text) runs") {
            !(try await admin.query(
                "SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query = \(text)"
            ).isEmpty)
        }
    }
}
