import CoreMetrics
import Synchronization

/// Group commit for independent statements: the statements that arrive while the batches in
/// flight are written go together next, in one round trip (libpq's pipeline mode) and one
/// implicit transaction, so one commit, on one connection. A statement that arrives while fewer
/// than `concurrentBatches` statements or batches are in flight runs at once, alone, on its
/// caller's task and in autocommit mode, as without a batcher: nothing waits at low load. Under
/// load the batches grow by themselves. The rows of a ``SetStatement`` that meet in a batch go
/// as one set-based statement instead of one statement each.
///
/// Each caller still gets its answer only after the commit that holds its statement, and the
/// answer it would have got alone:
///
/// - When any statement of a batch fails (a constraint violation, a deadlock between two
///   batches), the batch is rolled back and its statements are sent again, in arrival order and
///   still in one round trip, each in its own transaction: each answers as it would alone.
/// - When the database is unreachable, every caller of the batch gets that error, as it would
///   alone (the commit's outcome may be unknown: nothing is sent again).
/// - A caller cancelled while its statement waits is answered `CancellationError` and its
///   statement is never sent. Once its batch is on the wire, the statement is no longer
///   withdrawn; the caller gets its outcome, as with a statement already sent.
///
/// ```swift
/// let completions = GroupCommit(pool: pool, name: "worker_complete")
/// let done = try await completions.execute("UPDATE jobs SET state = 'done' WHERE id = \(id)") == 1
/// ```
public final class GroupCommit: Sendable {
    private let pool: PostgresPool
    private let maximumBatch: Int
    /// How many batches may be in flight at once.
    let concurrentBatches: Int
    private let state = Mutex(State())
    private let batchSizes: Recorder
    private let fallbacks: Counter

    private struct State {
        var pending: [Entry] = []
        /// Batches being written now.
        var writers = 0
        var nextID: UInt64 = 0
    }

    private struct Entry: Sendable {
        let id: UInt64
        /// The statement as it runs alone.
        let query: SQLQuery
        /// How to fold it with others of its ``SetStatement``, when it is a row of one.
        let fold: SetStatementFold?
        let continuation: CheckedContinuation<PostgresRows, any Error>
    }

    /// What a batch sends: one caller's statement, or the set-based statement of several
    /// callers' rows (`entries`, the positions in the batch).
    private struct Unit {
        let entries: [Int]
        let query: SQLQuery
    }

    /// - Parameters:
    ///   - name: the `group` dimension of this batcher's metrics (`db_group_commit_batch_size`,
    ///     `db_group_commit_fallbacks_total`).
    ///   - maximumBatch: at most this many statements per transaction.
    ///   - concurrentBatches: how many statements or batches may be in flight at once, each on
    ///     its own connection; a statement waits for a batch only when they all are. Light
    ///     statements from few callers want more (PostgreSQL's own group commit then shares the
    ///     WAL flush of concurrent commits); heavy ones under load fewer (bigger batches).
    public init(
        pool: PostgresPool,
        name: String,
        maximumBatch: Int = 64,
        concurrentBatches: Int = 2,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.pool = pool
        self.maximumBatch = max(1, maximumBatch)
        self.concurrentBatches = max(1, concurrentBatches)
        let factory = metricsFactory ?? MetricsSystem.factory
        batchSizes = Recorder(label: "db_group_commit_batch_size", dimensions: [("group", name)], factory: factory)
        fallbacks = Counter(label: "db_group_commit_fallbacks_total", dimensions: [("group", name)], factory: factory)
    }

    /// How many statements wait for a batch (for tests).
    var pendingStatements: Int { state.withLock { $0.pending.count } }

    /// Runs `query`, batched with the statements that arrive meanwhile, and returns its rows once
    /// its transaction has committed.
    public func query(_ query: SQLQuery) async throws -> PostgresRows {
        try await submit(query) { nil }
    }

    /// Runs `row` of `statement`: alone as its own statement; in a batch, folded with the other
    /// rows of `statement` there into one set-based statement. Returns the rows that answer it,
    /// once its transaction has committed.
    public func query<Row: Sendable>(_ row: Row, _ statement: SetStatement<Row>) async throws -> PostgresRows {
        try await submit(statement.alone(row)) { statement.fold(row) }
    }

    /// Runs `row` of `statement` like ``query(_:_:)`` and returns how many rows answer it.
    @discardableResult
    public func execute<Row: Sendable>(_ row: Row, _ statement: SetStatement<Row>) async throws -> Int {
        try await query(row, statement).affectedRows
    }

    /// `fold` is asked for only when the statement waits for a batch.
    private func submit(_ query: SQLQuery, fold: () -> SetStatementFold?) async throws -> PostgresRows {
        if let failure = query.binds.encodingFailure {
            // Never sent, so never in a batch: a batch's answers mean its transaction's fate.
            throw PostgresError(.encoding, failure)
        }
        let (alone, id) = state.withLock { state in
            defer { state.nextID &+= 1 }
            guard state.pending.isEmpty, state.writers < concurrentBatches else { return (false, state.nextID) }
            state.writers += 1
            return (true, state.nextID)
        }
        if alone {
            // Nothing to wait for: on the caller's own task, exactly as without a batcher.
            batchSizes.record(1)
            defer { endWritingAlone() }
            return try await pool.query(query)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresRows, any Error>) in
                guard !Task.isCancelled else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let entry = Entry(id: id, query: query, fold: fold(), continuation: continuation)
                let startsWriting = state.withLock { state in
                    state.pending.append(entry)
                    guard state.writers < concurrentBatches else { return false }
                    state.writers += 1
                    return true
                }
                if startsWriting {
                    // Not the caller's task: cancelling one caller must not cancel its batch.
                    Task(executorPreference: pool.taskExecutor) { await self.writeWhilePending() }
                }
            }
        } onCancel: {
            let withdrawn = state.withLock { state -> Entry? in
                guard let index = state.pending.firstIndex(where: { $0.id == id }) else { return nil }
                return state.pending.remove(at: index)
            }
            withdrawn?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Runs `query` like ``query(_:)`` and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: SQLQuery) async throws -> Int {
        try await self.query(query).affectedRows
    }

    /// Gives back the writer slot of a statement that ran alone, or keeps it for the statements
    /// that arrived meanwhile.
    private func endWritingAlone() {
        let startsWriting = state.withLock { state in
            if state.pending.isEmpty { state.writers -= 1 }
            return !state.pending.isEmpty
        }
        if startsWriting {
            Task(executorPreference: pool.taskExecutor) { await self.writeWhilePending() }
        }
    }

    /// Writes batches until none is pending.
    private func writeWhilePending() async {
        while true {
            let batch = state.withLock { state -> [Entry] in
                let count = min(state.pending.count, maximumBatch)
                if count == 0 { state.writers -= 1 }
                defer { state.pending.removeFirst(count) }
                return Array(state.pending.prefix(count))
            }
            guard !batch.isEmpty else { return }
            batchSizes.record(batch.count)
            do {
                try await pool.withConnection { connection in
                    guard batch.count > 1 else {
                        do {
                            batch[0].continuation.resume(returning: try await connection.query(batch[0].query))
                        } catch {
                            batch[0].continuation.resume(throwing: error)
                        }
                        return
                    }
                    let units = Self.units(of: batch)
                    let together = try await connection.pipeline(units.map(\.query), oneTransaction: true)
                    if !together.contains(where: { if case .failure = $0 { true } else { false } }) {
                        for (unit, answer) in zip(units, together) { Self.answer(unit, in: batch, with: answer) }
                        return
                    }
                    // Rolled back whole: each statement alone gets the answer it would have got alone.
                    fallbacks.increment()
                    let answers = try await connection.pipeline(batch.map(\.query), oneTransaction: false)
                    for (entry, answer) in zip(batch, answers) { entry.continuation.resume(with: answer.mapError { $0 }) }
                }
            } catch {
                // No connection, or it was lost with the batch on the wire: as it would be alone.
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
    }

    /// The statements a batch sends: each caller's own, except that the rows of a set statement
    /// that two or more callers share go as one statement, where the first of them arrived.
    private static func units(of batch: [Entry]) -> [Unit] {
        var positions: [SetStatementFold.Key: [Int]] = [:]
        for (position, entry) in batch.enumerated() {
            if let fold = entry.fold { positions[fold.key, default: []].append(position) }
        }
        var units: [Unit] = []
        for (position, entry) in batch.enumerated() {
            guard let fold = entry.fold, let shared = positions[fold.key], shared.count > 1 else {
                units.append(Unit(entries: [position], query: entry.query))
                continue
            }
            guard shared[0] == position else { continue }
            let rows = shared.compactMap { batch[$0].fold?.row }
            units.append(Unit(entries: shared, query: fold.together(rows)))
        }
        return units
    }

    /// Answers the callers of a unit of a committed batch: a set statement's rows shared out by
    /// their `n` (rows that cannot be are an error for each of its callers: the transaction has
    /// committed, so nothing is sent again).
    private static func answer(_ unit: Unit, in batch: [Entry], with answer: Result<PostgresRows, PostgresError>) {
        guard unit.entries.count > 1, case .success(let rows) = answer else {
            batch[unit.entries[0]].continuation.resume(with: answer.mapError { $0 })
            return
        }
        do {
            let shares = try rows.shares(unit.entries.count, byOrdinal: "n")
            for (position, share) in zip(unit.entries, shares) { batch[position].continuation.resume(returning: share) }
        } catch {
            for position in unit.entries { batch[position].continuation.resume(throwing: error) }
        }
    }
}
