import Foundation
import TestSupport
import Testing

@testable import Postgres

/// Tasks that prefer ``PostgresPool/taskExecutor``: they run on the pool's event-loop thread
/// between statements, and everything the pool does (waiting, cancelling, reconnecting) still
/// works for them.
@Suite("Pool task executor", .timeLimit(.minutes(3)))
struct TaskExecutorTests {
    private func configuration() async throws -> PostgresConfiguration {
        try await TestDatabase.shared.configuration(for: "pool_executor")
    }

    @Test("a task that prefers the pool's executor resumes on the event-loop thread after a statement")
    func resumesOnTheLoopThread() async throws {
        try await withPool(try await configuration()) { pool in
            let onLoop = try await withTaskExecutorPreference(pool.taskExecutor) {
                let one = try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one")
                #expect(one == 1)
                return pool.eventLoop.inLoopThread
            }
            #expect(onLoop)
            // A task without the preference never runs there.
            _ = try await pool.query("SELECT 1")
            #expect(!pool.eventLoop.inLoopThread)
        }
    }

    @Test("many tasks on the executor share a small pool: every transaction commits exactly once")
    func waitersAndTransactions() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 3, acquireTimeout: .seconds(60))) {
            pool in
            let table = "executor_\(UUID().uuidString.prefix(8).lowercased())"
            try await pool.execute("CREATE TABLE \(identifier: table) (task int4, n int4, PRIMARY KEY (task, n))")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<12 {
                    group.addTask(executorPreference: pool.taskExecutor) {
                        for n in 0..<40 {
                            try await pool.withTransaction { conn in
                                try await conn.execute("INSERT INTO \(identifier: table) VALUES (\(Int32(task)), \(Int32(n)))")
                                #expect(pool.eventLoop.inLoopThread)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let rows = try await pool.query("SELECT count(*) AS n, count(DISTINCT (task, n)) AS d FROM \(identifier: table)").single()
            #expect(try rows.decode(Int64.self, "n") == 480)
            #expect(try rows.decode(Int64.self, "d") == 480)
        }
    }

    @Test("cancelling a long query from the executor cancels it on the server; the connection stays usable")
    func cancellation() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            let task = Task(executorPreference: pool.taskExecutor) {
                try await pool.query("SELECT pg_sleep(120) /* executor */")
            }
            try await waitForActivity(like: "SELECT pg_sleep(120) /* executor */")
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let seven = try await withTaskExecutorPreference(pool.taskExecutor) {
                try await pool.query("SELECT 7 AS seven").single().decode(Int.self, "seven")
            }
            #expect(seven == 7)
        }
    }

    @Test("a connection killed under a task on the executor: connectionLost, then a reconnect off the loop")
    func reconnect() async throws {
        try await withPool(try await configuration(), options: .init(maximumConnections: 1)) { pool in
            try await withTaskExecutorPreference(pool.taskExecutor) {
                let error = try await #require(throws: PostgresError.self) {
                    try await killMidStatement(pool, marker: "executor killed")
                }
                #expect(error.code == .connectionLost)
                // Killed while idle: the next statement reconnects (PQreset, on a database thread).
                let pid = try await pool.query("SELECT pg_backend_pid() AS pid").single().decode(Int32.self, "pid")
                try await terminate(pid)
                let next = try await pool.query("SELECT pg_backend_pid() AS pid").single().decode(Int32.self, "pid")
                #expect(next != pid)
            }
        }
    }

    @Test("after the pool has stopped, a task that prefers its executor still runs (on the global executor)")
    func afterShutdown() async throws {
        let pool = try await withPool(try await configuration()) { pool in
            _ = try await pool.query("SELECT 1")
            return pool
        }
        let value = await withTaskExecutorPreference(pool.taskExecutor) {
            await Task.yield()
            return pool.eventLoop.inLoopThread ? 0 : 42
        }
        #expect(value == 42)
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
    }

    @Test("a stop requested while the loop runs jobs ends it (no lost wake-up)")
    func stopWhileRunningJobs() async {
        // The shutdown starts inside a job on the loop thread: its wake-up finds the loop awake,
        // so the loop must see the stop before it sleeps in poll(2), or it never ends.
        let loop = LibPQEventLoop()
        loop.start()
        await withTaskExecutorPreference(loop) { await loop.shutdown() }
        #expect(!loop.inLoopThread)
    }

    @Test("before the pool runs, a task that prefers its executor still runs (on the global executor)")
    func beforeStart() async throws {
        let pool = PostgresPool(configuration: try await configuration(), logger: TestEnvironment.logger)
        let value = await withTaskExecutorPreference(pool.taskExecutor) {
            await Task.yield()
            return pool.eventLoop.inLoopThread ? 0 : 42
        }
        #expect(value == 42)
    }
}
