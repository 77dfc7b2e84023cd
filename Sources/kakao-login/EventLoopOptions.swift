import ArgumentParser

/// `--event-loop-threads`, for the commands that do not read ``Settings`` (`emulator`,
/// `bench logins`); `api` and `worker` take `EVENT_LOOP_THREADS`. See
/// ``ConcurrencyExecutor/useEventLoopThreads(_:)``.
struct EventLoopOptions: ParsableArguments {
    @Option(help: "NIO event-loop threads of this process (1…256).")
    var eventLoopThreads: Int = 1

    func validate() throws {
        let range = ConcurrencyExecutor.eventLoopThreadsRange
        guard range.contains(eventLoopThreads) else {
            throw ValidationError("--event-loop-threads must be \(range.lowerBound)…\(range.upperBound)")
        }
    }

    /// Sizes NIO's singleton group; call first thing in `run()`.
    func apply() {
        ConcurrencyExecutor.useEventLoopThreads(eventLoopThreads)
    }
}
