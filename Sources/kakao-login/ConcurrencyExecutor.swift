import NIOCore
import NIOPosix

/// Where the `api`, `worker`, `emulator` and `bench logins` processes run their I/O and Swift tasks.
enum ConcurrencyExecutor {
    /// Sizes NIO's singleton event-loop group (Hummingbird's and AsyncHTTPClient's threads) to
    /// `threads`, instead of one per core. One is the default of every command that takes the
    /// setting: a process's database-bound work already runs on its pool's one event-loop thread,
    /// so more I/O threads add thread wake-ups, not throughput; scale out with processes. Measured
    /// on 2 shared cores: +7–10% logins/s (docs/BENCHMARKS.md, "Event-loop threads").
    ///
    /// The thread counts `EVENT_LOOP_THREADS` and `--event-loop-threads` accept.
    static let eventLoopThreadsRange = 1...256

    /// Call once, before anything uses NIO's singletons (NIO stops the process otherwise).
    static func useEventLoopThreads(_ threads: Int) {
        NIOSingletons.groupLoopCountSuggestion = threads
    }

    /// Makes NIO's singleton event loops (the ones Hummingbird and AsyncHTTPClient do their I/O
    /// on) Swift Concurrency's global executor, so that a task resumed by an HTTP read goes on
    /// running on the thread that read it instead of being handed to a cooperative thread. With
    /// database-bound tasks preferring the pool's executor (`PostgresPool.taskExecutor`), a login
    /// crosses threads only where its work does. Measured: +7–15% logins/s with Kakao at 150 ms
    /// (docs/BENCHMARKS.md). Nothing in these processes blocks a task's thread (libpq is
    /// non-blocking; its connects run on a thread pool), as an event loop requires.
    ///
    /// Call once, early in the command's `run()`, after ``useEventLoopThreads(_:)``. NIO asks for
    /// the call before Swift Concurrency is in use (on Darwin, from the main thread); `run()` is
    /// about the earliest point an `AsyncParsableCommand` offers. On Linux that is sound: jobs
    /// already on the cooperative pool finish there, and every job enqueued afterwards goes to
    /// NIO's loops.
    /// - Returns: false when the runtime's hook could not be taken over (the tasks then stay on
    ///   the cooperative pool, which works, only with more thread switches).
    static func runTasksOnNIOEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
