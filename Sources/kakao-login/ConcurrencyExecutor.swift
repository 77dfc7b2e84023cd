import NIOCore
import NIOPosix

/// Where the `api` and `worker` processes run their Swift tasks.
enum ConcurrencyExecutor {
    /// Makes NIO's singleton event loops (the ones Hummingbird and AsyncHTTPClient do their I/O
    /// on) Swift Concurrency's global executor, so that a task resumed by an HTTP read goes on
    /// running on the thread that read it instead of being handed to a cooperative thread. With
    /// database-bound tasks preferring the pool's executor (`PostgresPool.taskExecutor`), a login
    /// crosses threads only where its work does. Measured: +7–15% logins/s with Kakao at 150 ms
    /// (docs/BENCHMARKS.md). Nothing in these processes blocks a task's thread (libpq is
    /// non-blocking; its connects run on a thread pool), as an event loop requires.
    ///
    /// Call once, first thing in the command's `run()`.
    static func runTasksOnNIOEventLoops() {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
