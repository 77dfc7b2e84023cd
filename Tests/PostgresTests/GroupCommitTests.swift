import Foundation
import TestSupport
import Testing

@testable import Postgres

/// ``GroupCommit``: the writes that arrive while a batch is written share the next transaction,
/// and one bad write (a constraint violation, a caught error, a cancelled caller) answers only
/// its own caller, as it would alone.
///
/// Each test holds the first write on an advisory lock the test owns, lets the next writes pile
/// up behind it (``GroupCommit/pendingWrites``), then lets them go as one batch.
@Suite("Group commit", .timeLimit(.minutes(3)))
struct GroupCommitTests {
    private func configuration() async throws -> PostgresConfiguration {
        try await TestDatabase.shared.configuration(for: "group_commit")
    }

    /// The outcome of one write: the transaction it committed in, or the error it got.
    private enum Answer: Equatable {
        case committed(txid: Int64)
        case failed(sqlState: String?)
        case cancelled
    }

    /// Runs `first` (which waits for the advisory lock `lockKey`) then `rest` through one
    /// batcher, and returns the first's answer and the others' in order once all have answered.
    private func batch(
        _ pool: PostgresPool,
        table: String,
        rest: [Int64],
        cancelling cancelledIndex: Int? = nil,
        catching caughtIndex: Int? = nil
    ) async throws -> (first: Answer, rest: [Answer]) {
        let group = GroupCommit(pool: pool, name: "test")
        let lockKey = Int64.random(in: 1...Int64(Int32.max))
        return try await PostgresConnection.withConnection(configuration: try await configuration(), logger: TestEnvironment.logger) {
            holder in
            try await holder.execute("SELECT pg_advisory_lock(\(lockKey))")
            let first = Task {
                await answer {
                    try await group.write { connection in
                        try await connection.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
                        return try await Self.insert(0, into: table, on: connection)
                    }
                }
            }
            try await waitUntil("the first write waits for the lock") {
                guard group.pendingWrites == 0 else { return false }
                return try await isWaiting(holder, forLock: lockKey)
            }
            var tasks: [Task<Answer, Never>] = []
            for (index, id) in rest.enumerated() {
                tasks.append(
                    Task {
                        await answer {
                            try await group.write { connection in
                                if index == caughtIndex {
                                    // A write that catches its own error: alone, it answers normally.
                                    _ = try? await Self.insert(id, into: table, on: connection)
                                    return try await connection.query("SELECT txid_current() AS txid").single().decode(Int64.self, "txid")
                                }
                                return try await Self.insert(id, into: table, on: connection)
                            }
                        }
                    }
                )
                try await waitUntil("write \(index) waits") { group.pendingWrites == index + 1 }
            }
            if let cancelledIndex {
                tasks[cancelledIndex].cancel()
                try await waitUntil("the cancelled write is withdrawn") { group.pendingWrites == rest.count - 1 }
            }
            try await holder.execute("SELECT pg_advisory_unlock(\(lockKey))")
            var answers: [Answer] = []
            for task in tasks { answers.append(await task.value) }
            return (await first.value, answers)
        }
    }

    private static func insert(_ id: Int64, into table: String, on connection: PostgresConnection) async throws -> Int64 {
        try await connection.query("INSERT INTO \(identifier: table) VALUES (\(id)) RETURNING txid_current() AS txid")
            .single().decode(Int64.self, "txid")
    }

    private func answer(_ write: () async throws -> Int64) async -> Answer {
        do {
            return .committed(txid: try await write())
        } catch is CancellationError {
            return .cancelled
        } catch let error as PostgresError {
            return .failed(sqlState: error.sqlState)
        } catch {
            return .failed(sqlState: nil)
        }
    }

    /// Whether a session waits for the advisory lock `key` (below 2³¹: its `classid` is 0).
    private func isWaiting(_ holder: PostgresConnection, forLock key: Int64) async throws -> Bool {
        !(try await holder.query(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid::int8 = \(key)"
        ).isEmpty)
    }

    private func makeTable(_ pool: PostgresPool) async throws -> String {
        let name = "group_\(UUID().uuidString.prefix(8).lowercased())"
        try await pool.execute("CREATE TABLE \(identifier: name) (id int8 PRIMARY KEY)")
        return name
    }

    private func ids(_ pool: PostgresPool, _ table: String) async throws -> [Int64] {
        try await pool.query("SELECT id FROM \(identifier: table) ORDER BY id").map { try $0.decode(Int64.self, "id") }
    }

    @Test("a write with none in flight runs alone; the ones that arrive meanwhile share one commit")
    func writesArrivingTogetherShareOneCommit() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            let (first, rest) = try await batch(pool, table: table, rest: Array(1...8))
            guard case .committed(let firstTxid) = first else {
                Issue.record("first: \(first)")
                return
            }
            let txids = Set(rest.compactMap { if case .committed(let txid) = $0 { txid } else { nil } })
            #expect(txids.count == 1, "the eight waiting writes commit together: \(rest)")
            #expect(!txids.contains(firstTxid))
            #expect(try await ids(pool, table) == Array(0...8))
        }
    }

    @Test("a constraint violation fails only its own write, with the error it gets alone")
    func constraintViolationFailsOnlyItsWrite() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            try await pool.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(100)))")
            // 100 exists already; the second 3 collides with the first 3 of the same batch.
            let (_, rest) = try await batch(pool, table: table, rest: [1, 100, 2, 3, 3, 4])
            #expect(rest[1] == .failed(sqlState: "23505"))
            #expect(rest[4] == .failed(sqlState: "23505"))
            for index in [0, 2, 3, 5] {
                guard case .committed = rest[index] else {
                    Issue.record("write \(index): \(rest[index])")
                    continue
                }
            }
            #expect(try await ids(pool, table) == [0, 1, 2, 3, 4, 100])
        }
    }

    @Test("a write that catches its own error answers as it would alone; the others commit")
    func caughtErrorDoesNotSpoilTheBatch() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            try await pool.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(7)))")
            let (_, rest) = try await batch(pool, table: table, rest: [1, 7, 2], catching: 1)
            for (index, answer) in rest.enumerated() {
                guard case .committed = answer else {
                    Issue.record("write \(index): \(answer)")
                    continue
                }
            }
            #expect(try await ids(pool, table) == [0, 1, 2, 7])
        }
    }

    @Test("a caller cancelled while its write waits gets CancellationError, and its write is never sent")
    func cancelledCallerIsWithdrawn() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            let (_, rest) = try await batch(pool, table: table, rest: [1, 2, 3], cancelling: 1)
            #expect(rest[1] == .cancelled)
            guard case .committed(let a) = rest[0], case .committed(let b) = rest[2] else {
                Issue.record("the others: \(rest)")
                return
            }
            #expect(a == b)
            #expect(try await ids(pool, table) == [0, 1, 3])
        }
    }

    @Test("an unreachable database answers every caller of the batch with its error")
    func unreachableDatabaseFailsEveryCaller() async throws {
        let options = PostgresPool.Options(maximumConnections: 2, acquireTimeout: .seconds(2))
        let unreachable = PostgresConfiguration(
            connectionString: "host=127.0.0.1 port=\(try FreePort.next()) user=postgres dbname=none",
            connectTimeout: .seconds(1)
        )
        try await withPool(unreachable, options: options) { pool in
            let group = GroupCommit(pool: pool, name: "test")
            await withTaskGroup(of: Bool.self) { tasks in
                for _ in 0..<4 {
                    tasks.addTask {
                        do {
                            _ = try await group.write { try await $0.execute("SELECT 1") }
                            return false
                        } catch let error as PostgresError {
                            return error.isUnavailable
                        } catch {
                            return false
                        }
                    }
                }
                for await unavailable in tasks { #expect(unavailable) }
            }
        }
    }
}
