import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// A wait on a continuation that a waker resumes, bounded by a timer on an event loop: a heap
/// entry, where a `Task.sleep` beside each wait costs two child tasks and a dispatch timer.
/// Used by the worker's ``WakeSignal`` and the API's long-poll waiters.
public enum TimedWait {
    /// Suspends until the continuation given to `park` is resumed: by the caller's waker, by
    /// `release` at `deadline`, at cancellation, or (`endsAtGracefulShutdown`) when a graceful
    /// shutdown starts or has started.
    /// - Parameters:
    ///   - park: stores the continuation where the waker and `release` find it and returns true,
    ///     or returns false without storing it when the wait is over already (it resumes at once).
    ///   - release: resumes the parked continuation if it is still parked, else does nothing.
    ///
    /// The timer is armed after the continuation is parked, so its firing always finds it (or
    /// finds it resumed already, and does nothing); cancellation and shutdown are checked after
    /// parking too, so one that comes before the handler could see the continuation is not lost.
    public static func suspend(
        until deadline: NIODeadline,
        timerLoop: any EventLoop,
        endsAtGracefulShutdown: Bool,
        park: (CheckedContinuation<Void, Never>) -> Bool,
        release: @escaping @Sendable () -> Void
    ) async {
        let timer = NIOLockedValueBox<Scheduled<Void>?>(nil)
        func wait() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                guard park(continuation) else { return continuation.resume() }
                if Task.isCancelled || (endsAtGracefulShutdown && Task.isShuttingDownGracefully) || deadline <= .now() {
                    release()
                } else {
                    timer.withLockedValue { $0 = timerLoop.scheduleTask(deadline: deadline, release) }
                }
            }
        }
        if endsAtGracefulShutdown {
            await withTaskCancellationOrGracefulShutdownHandler(operation: wait, onCancelOrGracefulShutdown: release)
        } else {
            await withTaskCancellationHandler(operation: wait, onCancel: release)
        }
        timer.withLockedValue { $0?.cancel() }
    }
}
