import CoreMetrics
import Synchronization

/// Group commit for independent writes: the writes that arrive while one batch is being written
/// are written together next, in one transaction and one commit on one connection. A write that
/// arrives when none is in flight starts at once, alone and in autocommit mode, so nothing waits
/// at low load; under load the batches grow by themselves.
///
/// Each caller still gets its answer only after the commit that holds its write, and gets the
/// answer it would have got alone:
///
/// - When any statement of a batch fails (a constraint violation, a deadlock, a write that caught
///   its own error and left the transaction aborted), the batch is rolled back, and every write
///   of it runs again alone, in its own transaction, in arrival order. So a write must be a pure
///   database write: run twice, of which the first is rolled back, it must answer like once.
/// - When the database is unreachable, every caller of the batch gets that error, as it would
///   alone (the commit's outcome may be unknown: nothing is run again).
/// - A caller cancelled while its write waits is answered `CancellationError` and its write is
///   never sent. Once its batch is being written, the write is no longer withdrawn; the caller
///   gets its outcome, as with a statement already sent.
///
/// ```swift
/// let completions = GroupCommit(pool: pool, name: "worker_complete")
/// let wrote = try await completions.write { connection in
///     try await connection.execute("UPDATE jobs SET state = 'done' WHERE id = \(id)") == 1
/// }
/// ```
public final class GroupCommit: Sendable {
    private let pool: PostgresPool
    private let options: PostgresTransactionOptions
    private let maximumBatch: Int
    private let state = Mutex(State())
    private let batchSizes: Recorder
    private let fallbacks: Counter

    private struct State {
        var pending: [Entry] = []
        var writing = false
        var nextID: UInt64 = 0
    }

    private struct Entry: Sendable {
        let id: UInt64
        /// The caller's write; it keeps its own result for the caller.
        let write: @Sendable (PostgresConnection) async throws -> Void
        let continuation: CheckedContinuation<Void, any Error>
    }

    /// - Parameters:
    ///   - name: the `group` dimension of this batcher's metrics (`db_group_commit_batch_size`,
    ///     `db_group_commit_fallbacks_total`).
    ///   - options: how a batch's transaction runs (a write alone runs in autocommit mode).
    ///   - maximumBatch: at most this many writes per transaction.
    public init(
        pool: PostgresPool,
        name: String,
        options: PostgresTransactionOptions = PostgresTransactionOptions(),
        maximumBatch: Int = 64,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.pool = pool
        self.options = options
        self.maximumBatch = max(1, maximumBatch)
        let factory = metricsFactory ?? MetricsSystem.factory
        batchSizes = Recorder(label: "db_group_commit_batch_size", dimensions: [("group", name)], factory: factory)
        fallbacks = Counter(label: "db_group_commit_fallbacks_total", dimensions: [("group", name)], factory: factory)
    }

    /// How many writes wait for the batch in flight (for tests).
    var pendingWrites: Int { state.withLock { $0.pending.count } }

    /// Runs `write` on a pooled connection, batched with the writes that arrive while another
    /// batch is written, and returns its result once its transaction has committed.
    public func write<Result: Sendable>(_ write: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let result = Mutex<Result?>(nil)
        let id = state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                guard !Task.isCancelled else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let entry = Entry(
                    id: id,
                    write: { connection in
                        let value = try await write(connection)
                        result.withLock { $0 = value }
                    },
                    continuation: continuation
                )
                let startsWriting = state.withLock { state in
                    state.pending.append(entry)
                    defer { state.writing = true }
                    return !state.writing
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
        guard let value = result.withLock({ $0 }) else { throw CancellationError() }
        return value
    }

    /// Writes batches until none is pending.
    private func writeWhilePending() async {
        while true {
            let batch = state.withLock { state -> [Entry] in
                let count = min(state.pending.count, maximumBatch)
                if count == 0 { state.writing = false }
                defer { state.pending.removeFirst(count) }
                return Array(state.pending.prefix(count))
            }
            guard !batch.isEmpty else { return }
            batchSizes.record(batch.count)
            guard batch.count > 1 else {
                await writeAlone(batch[0])
                continue
            }
            do {
                try await pool.withTransaction(options) { connection in
                    for entry in batch { try await entry.write(connection) }
                }
                for entry in batch { entry.continuation.resume() }
            } catch let error as PostgresError where error.isUnavailable {
                for entry in batch { entry.continuation.resume(throwing: error) }
            } catch {
                // Rolled back whole: each write alone gets the answer it would have got alone.
                fallbacks.increment()
                for entry in batch { await writeAlone(entry) }
            }
        }
    }

    private func writeAlone(_ entry: Entry) async {
        do {
            try await pool.withConnection { connection in try await entry.write(connection) }
            entry.continuation.resume()
        } catch {
            entry.continuation.resume(throwing: error)
        }
    }
}
