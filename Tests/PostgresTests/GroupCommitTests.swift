import Foundation
import TestSupport
import Testing

@testable import Postgres

/// ``GroupCommit``: the statements that arrive while a batch is written share the next
/// transaction (one pipeline, one commit), and one bad statement (a constraint violation, a
/// cancelled caller) answers only its own caller, as it would alone.
///
/// Each test holds the first statement on an advisory lock the test owns, lets the next ones
/// pile up behind it (``GroupCommit/pendingStatements``), then lets them go as one batch.
@Suite("Group commit", .timeLimit(.minutes(3)))
struct GroupCommitTests {
    private func configuration() async throws -> PostgresConfiguration {
        try await TestDatabase.shared.configuration(for: "group_commit")
    }

    /// The outcome of one statement: the transaction it committed in, or the error it got.
    private enum Answer: Equatable {
        case committed(txid: Int64)
        /// Committed, answered with its share of a set statement's rows.
        case committedInSet(txid: Int64)
        case failed(sqlState: String?)
        case cancelled
    }

    /// Runs the first insert (which waits for an advisory lock the test holds), then `rest`
    /// behind it through one batcher that writes one batch at a time, and returns every answer.
    /// `folding`: the rest are rows of ``insertingIDs(_:)``, the others plain statements.
    private func batch(
        _ pool: PostgresPool,
        table: String,
        rest: [Int64],
        folding: Set<Int> = [],
        cancelling cancelledIndex: Int? = nil
    ) async throws -> (first: Answer, rest: [Answer]) {
        let group = GroupCommit(pool: pool, name: "test", concurrentBatches: 1)
        let lockKey = Int64.random(in: 1...Int64(Int32.max))
        return try await PostgresConnection.withConnection(configuration: try await configuration(), logger: TestEnvironment.logger) {
            holder in
            try await holder.execute("SELECT pg_advisory_lock(\(lockKey))")
            let first = Task {
                await answer {
                    try await group.query(
                        """
                        WITH locked AS (SELECT pg_advisory_xact_lock(\(lockKey)))
                        INSERT INTO \(identifier: table) SELECT 0 FROM locked RETURNING txid_current() AS txid
                        """
                    )
                }
            }
            try await waitUntil("the first statement waits for the lock") {
                guard group.pendingStatements == 0 else { return false }
                return try await isWaiting(holder, forLock: lockKey)
            }
            var tasks: [Task<Answer, Never>] = []
            for (index, id) in rest.enumerated() {
                tasks.append(
                    Task {
                        await answer {
                            guard folding.contains(index) else {
                                return try await group.query(
                                    "INSERT INTO \(identifier: table) VALUES (\(id)) RETURNING txid_current() AS txid"
                                )
                            }
                            return try await group.query(id, insertingIDs(table))
                        }
                    }
                )
                try await waitUntil("statement \(index) waits") { group.pendingStatements == index + 1 }
            }
            if let cancelledIndex {
                tasks[cancelledIndex].cancel()
                try await waitUntil("the cancelled statement is withdrawn") { group.pendingStatements == rest.count - 1 }
            }
            try await holder.execute("SELECT pg_advisory_unlock(\(lockKey))")
            var answers: [Answer] = []
            for task in tasks { answers.append(await task.value) }
            return (await first.value, answers)
        }
    }

    private func answer(_ statement: () async throws -> PostgresRows) async -> Answer {
        do {
            let rows = try await statement()
            let txid = try rows.single().decode(Int64.self, "txid")
            return rows.columns.contains("n") ? .committedInSet(txid: txid) : .committed(txid: txid)
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

    /// A table of the test's own; `deferred`: its uniqueness is checked at COMMIT, not per row.
    private func makeTable(_ pool: PostgresPool, deferred: Bool = false) async throws -> String {
        let name = "group_\(UUID().uuidString.prefix(8).lowercased())"
        if deferred {
            try await pool.execute("CREATE TABLE \(identifier: name) (id int8 UNIQUE DEFERRABLE INITIALLY DEFERRED)")
        } else {
            try await pool.execute("CREATE TABLE \(identifier: name) (id int8 PRIMARY KEY)")
        }
        return name
    }

    private func ids(_ pool: PostgresPool, _ table: String) async throws -> [Int64] {
        try await pool.query("SELECT id FROM \(identifier: table) ORDER BY id").map { try $0.decode(Int64.self, "id") }
    }

    private func transactions(_ answers: [Answer]) -> Set<Int64> {
        Set(
            answers.compactMap {
                switch $0 {
                case .committed(let txid), .committedInSet(let txid): txid
                case .failed, .cancelled: nil
                }
            }
        )
    }

    /// Inserts an id into `table`: alone, one `INSERT`; together, one `INSERT` over all the ids.
    private func insertingIDs(_ table: String) -> SetStatement<Int64> {
        SetStatement(
            "insert_id",
            alone: { id in "INSERT INTO \(identifier: table) VALUES (\(id)) RETURNING txid_current() AS txid" },
            together: { ids in
                """
                WITH input AS (SELECT * FROM unnest(\(ids)) WITH ORDINALITY AS i(id, n)),
                inserted AS (INSERT INTO \(identifier: table) SELECT id FROM input ORDER BY n RETURNING id)
                SELECT input.n, txid_current() AS txid FROM inserted JOIN input USING (id)
                """
            }
        )
    }

    @Test("a statement with none in flight runs alone; the ones that arrive meanwhile share one commit")
    func statementsArrivingTogetherShareOneCommit() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            let (first, rest) = try await batch(pool, table: table, rest: Array(1...8))
            guard case .committed(let firstTxid) = first else {
                Issue.record("first: \(first)")
                return
            }
            #expect(transactions(rest).count == 1, "the eight waiting statements commit together: \(rest)")
            #expect(!transactions(rest).contains(firstTxid))
            #expect(try await ids(pool, table) == Array(0...8))
            // The connection is back in the pool in a clean state.
            #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
        }
    }

    @Test("a constraint violation fails only its own statement, with the error it gets alone")
    func constraintViolationFailsOnlyItsStatement() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            try await pool.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(100)))")
            // 100 exists already; the second 3 collides with the first 3 of the same batch.
            let (_, rest) = try await batch(pool, table: table, rest: [1, 100, 2, 3, 3, 4])
            #expect(rest[1] == .failed(sqlState: "23505"))
            #expect(rest[4] == .failed(sqlState: "23505"))
            // The others committed, each in its own transaction (the batch was rolled back and
            // its statements sent again one by one).
            let committed = [rest[0], rest[2], rest[3], rest[5]]
            #expect(transactions(committed).count == 4, "\(rest)")
            #expect(try await ids(pool, table) == [0, 1, 2, 3, 4, 100])
        }
    }

    @Test("a COMMIT that fails (a deferred constraint) fails only the statement that broke it, as alone")
    func failedCommitFailsOnlyItsStatement() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool, deferred: true)
            // Every insert succeeds as a statement; the batch's COMMIT finds the two 2s.
            let (_, rest) = try await batch(pool, table: table, rest: [1, 2, 2, 3])
            #expect(rest[2] == .failed(sqlState: "23505"))
            #expect(transactions([rest[0], rest[1], rest[3]]).count == 3, "\(rest)")
            #expect(try await ids(pool, table) == [0, 1, 2, 3])
        }
    }

    @Test("the rows of a set statement in a batch go as one statement; each caller gets its own rows")
    func setStatementRowsShareOneStatement() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            // Rows 0, 2, 3 and 5 are the set statement's, 1 and 4 plain statements.
            let (_, rest) = try await batch(pool, table: table, rest: [1, 2, 3, 4, 5, 6], folding: [0, 2, 3, 5])
            guard case .committedInSet(let txid) = rest[0] else {
                Issue.record("\(rest)")
                return
            }
            #expect(
                rest == [
                    .committedInSet(txid: txid), .committed(txid: txid), .committedInSet(txid: txid),
                    .committedInSet(txid: txid), .committed(txid: txid), .committedInSet(txid: txid),
                ]
            )
            #expect(try await ids(pool, table) == Array(0...6))
            // Alone, a row is its own statement.
            let group = GroupCommit(pool: pool, name: "test")
            #expect(try await group.execute(Int64(7), insertingIDs(table)) == 1)
            #expect(try await group.query(Int64(8), insertingIDs(table)).columns == ["txid"])
        }
    }

    @Test("a set statement that fails is sent again as each caller's own statement, each answered as alone")
    func failedSetStatementFallsBackToEachRow() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            try await pool.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(100)))")
            let (_, rest) = try await batch(pool, table: table, rest: [1, 100, 2, 3], folding: [0, 1, 2])
            #expect(rest[1] == .failed(sqlState: "23505"))
            let committed = [rest[0], rest[2], rest[3]]
            #expect(transactions(committed).count == 3, "\(rest)")
            #expect(!committed.contains { if case .committedInSet = $0 { true } else { false } }, "\(rest)")
            #expect(try await ids(pool, table) == [0, 1, 2, 3, 100])
        }
    }

    @Test("a value that cannot be encoded fails its statement before any batch, and the batch commits")
    func encodingFailureStaysOutOfTheBatch() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            let group = GroupCommit(pool: pool, name: "test")
            await #expect(throws: PostgresError.self) {
                // JSON has no NaN: the value fails to encode, in this process.
                try await group.query("SELECT \(PostgresJSON(Double.nan))::jsonb")
            }
            #expect(try await group.execute("INSERT INTO \(identifier: table) VALUES (\(Int64(1)))") == 1)
            #expect(try await ids(pool, table) == [1])
        }
    }

    @Test("a caller cancelled while its statement waits gets CancellationError, and its statement is never sent")
    func cancelledCallerIsWithdrawn() async throws {
        try await withPool(try await configuration()) { pool in
            let table = try await makeTable(pool)
            let (_, rest) = try await batch(pool, table: table, rest: [1, 2, 3], cancelling: 1)
            #expect(rest[1] == .cancelled)
            #expect(transactions([rest[0], rest[2]]).count == 1, "\(rest)")
            #expect(try await ids(pool, table) == [0, 1, 3])
        }
    }

    @Test("statements new to the connection are prepared inside the pipeline, once, and reused after")
    func newStatementsArePreparedOnce() async throws {
        try await withPool(try await configuration(), options: PostgresPool.Options(maximumConnections: 1, acquireTimeout: .seconds(30))) {
            pool in
            let table = try await makeTable(pool)
            for round in 0..<2 {
                let (_, rest) = try await batch(pool, table: table, rest: (1...4).map { Int64(round * 10 + $0) })
                #expect(transactions(rest).count == 1, "round \(round): \(rest)")
            }
            let prepared = try await pool.query(
                "SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE \("INSERT INTO \"" + table + "\" VALUES%")"
            ).single().decode(Int.self, "n")
            #expect(prepared == 1)
        }
    }

    @Test("with two batches allowed in flight, a statement does not wait for a blocked one")
    func secondBatchDoesNotWaitForABlockedOne() async throws {
        try await withPool(try await configuration()) { pool in
            let group = GroupCommit(pool: pool, name: "test", concurrentBatches: 2)
            let lockKey = Int64.random(in: 1...Int64(Int32.max))
            try await PostgresConnection.withConnection(configuration: try await configuration(), logger: TestEnvironment.logger) {
                holder in
                try await holder.execute("SELECT pg_advisory_lock(\(lockKey))")
                let blocked = Task { try await group.query("SELECT pg_advisory_xact_lock(\(lockKey))") }
                try await waitUntil("the first statement waits for the lock") {
                    guard group.pendingStatements == 0 else { return false }
                    return try await isWaiting(holder, forLock: lockKey)
                }
                #expect(try await group.query("SELECT 2 AS two").single().decode(Int.self, "two") == 2)
                try await holder.execute("SELECT pg_advisory_unlock(\(lockKey))")
                _ = try await blocked.value
            }
        }
    }

    @Test("an unreachable database answers every caller with its error")
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
                            _ = try await group.query("SELECT 1")
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
