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
    /// Runs the waits' timeouts (see ``TimedWait``).
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

    private func waitForSignal(_ wanted: Reasons, deadline: NIODeadline) async {
        await TimedWait.suspend(until: deadline, timerLoop: timerLoop, endsAtGracefulShutdown: false) { continuation in
            state.withLockedValue { state in
                guard state.pending.isDisjoint(with: wanted) else { return false }
                state.waiter = Waiter(wanted: wanted, continuation: continuation)
                return true
            }
        } release: {
            self.releaseWaiter()
        }
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
