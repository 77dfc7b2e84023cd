import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Wakes the claim loop early, saying why: jobs arrived (a NOTIFY, the listener's
/// (re)connection) or a slot freed up. A reason signalled while nobody waits for it is kept
/// until a wait asks for it, so no wake-up is lost between checks.
final class WakeSignal: Sendable {
    /// Why the loop was woken.
    struct Reasons: OptionSet, Sendable {
        let rawValue: Int
        /// New runnable jobs may exist.
        static let jobsArrived = Reasons(rawValue: 1)
        /// A job ended, so a slot is free.
        static let slotFreed = Reasons(rawValue: 2)
        static let all: Reasons = [.jobsArrived, .slotFreed]
    }

    private struct Waiter {
        var wanted: Reasons
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var pending: Reasons = []
        var waiter: Waiter?
    }

    private let state = NIOLockedValueBox(State())
    /// Runs the waits' timeouts: a timer on an event loop costs a heap entry, where a
    /// `Task.sleep` beside each wait cost two child tasks and a dispatch timer.
    private let timerLoop: any EventLoop

    init(timerLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()) {
        self.timerLoop = timerLoop
    }

    func signal(_ reasons: Reasons) {
        let waiter = state.withLockedValue { state -> Waiter? in
            state.pending.formUnion(reasons)
            guard let waiter = state.waiter, !waiter.wanted.isDisjoint(with: state.pending) else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume()
    }

    /// Returns once one of `wanted` was signalled (consuming those reasons), after `timeout`, or
    /// at cancellation.
    func wait(for wanted: Reasons, timeout: Duration) async {
        await waitForSignal(wanted, deadline: .now() + TimeAmount(timeout))
        state.withLockedValue { $0.pending.subtract(wanted) }
    }

    /// The timer is armed after the waiter is stored, so its firing always finds it (or finds
    /// it already resumed, and does nothing).
    private func waitForSignal(_ wanted: Reasons, deadline: NIODeadline) async {
        let timer = NIOLockedValueBox<Scheduled<Void>?>(nil)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if !state.pending.isDisjoint(with: wanted) || Task.isCancelled || deadline <= .now() { return true }
                    state.waiter = Waiter(wanted: wanted, continuation: continuation)
                    return false
                }
                if resumeNow {
                    continuation.resume()
                } else {
                    timer.withLockedValue { $0 = timerLoop.scheduleTask(deadline: deadline) { self.releaseWaiter() } }
                }
            }
        } onCancel: {
            releaseWaiter()
        }
        timer.withLockedValue { $0?.cancel() }
    }

    /// Resumes the waiting loop, if any, without a reason.
    private func releaseWaiter() {
        let waiter = state.withLockedValue { state -> Waiter? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.continuation.resume()
    }
}
