import Foundation
import LoginQueue
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The long-polls waiting in this process, by `login_id`, woken by ``LoginDoneListener``.
///
/// A poll registers *before* it reads the login's row, so a completion committed between that
/// read and the wait is not lost: the wake-up is remembered by the registration and the next
/// ``Registration/wait(upTo:)`` returns at once. Every registration is woken when the listener
/// (re)connects (notifications sent while it was away are lost), and each wait is bounded by
/// the caller's re-check interval as a safety net.
///
/// It also remembers the logins this process enqueued until their `login_done` arrives
/// (``expectCompletion(of:reader:)``): a poll of such a login by its own reader, registered
/// while the listener is connected, is known to be pending without reading the row, since
/// every change that ends a login notifies. That spares one read per login (the poll that
/// follows the 202 at once); the wake-up then comes from the notification as for any wait.
public final class LoginWaiters: Sendable {
    /// One waiting poll. Not shared between tasks.
    public struct Registration: Sendable {
        let loginID: UUID
        let id: Int
        let waiters: LoginWaiters

        /// Suspends until this login is woken, `duration` passes, the task is cancelled or the
        /// process shuts down gracefully. Returns at once when a wake-up arrived since the last
        /// wait (or since registering).
        public func wait(upTo duration: Duration) async {
            await waiters.suspend(self, until: .now() + TimeAmount(duration))
        }
    }

    private enum Slot {
        case idle
        case woken
        case suspended(CheckedContinuation<Void, Never>)
    }

    private struct State {
        var slots: [UUID: [Int: Slot]] = [:]
        var nextID = 0
        var isClosed = false
        var isListening = false
        /// Logins enqueued here and not yet notified done: the SHA-256 of their reader token.
        var awaiting: [UUID: [UInt8]] = [:]
        /// The same, oldest first, to forget them after ``completionMemory``.
        var awaitingOrder = CircularBuffer<(loginID: UUID, since: ContinuousClock.Instant)>()
    }

    private let state = Mutex(State())

    /// How long an enqueued login is remembered without a notification (longer than any job's
    /// deadline); after that its polls read the row, as they would anyway.
    let completionMemory: Duration

    /// Runs the waits' timeouts (see ``TimedWait``). Each wait takes the next loop, so no
    /// loop's timer heap holds every poll (a cancel scans it).
    private let timers: any EventLoopGroup

    public init(completionMemory: Duration = .seconds(180), timers: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.completionMemory = completionMemory
        self.timers = timers
    }

    /// Records that this process enqueued `loginID`, to be read by `reader` (the attempt or
    /// poll token): until its `login_done` arrives it is pending.
    public func expectCompletion(of loginID: UUID, reader: ReaderToken) {
        let now = ContinuousClock.now
        state.withLock { state in
            while let oldest = state.awaitingOrder.first, now - oldest.since >= completionMemory {
                state.awaitingOrder.removeFirst()
                state.awaiting[oldest.loginID] = nil
            }
            guard !state.isClosed, state.isListening else { return }
            state.awaiting[loginID] = reader.digest
            state.awaitingOrder.append((loginID, now))
        }
    }

    /// Drops what ``expectCompletion(of:reader:)`` recorded (the enqueue did not create it).
    public func forget(_ loginID: UUID) {
        state.withLock { _ = $0.awaiting.removeValue(forKey: loginID) }
    }

    /// Whether `loginID` is certainly still pending for `reader`: enqueued here, not notified
    /// done, the listener connected all along. Ask after registering the poll, so a
    /// notification that comes later still wakes it.
    public func isAwaitingCompletion(_ loginID: UUID, reader: ReaderToken) -> Bool {
        state.withLock { state in
            guard state.isListening, let expected = state.awaiting[loginID] else { return false }
            return expected == reader.digest
        }
    }

    /// Registers a poll of `loginID`; pair with ``unregister(_:)``.
    public func register(_ loginID: UUID) -> Registration {
        state.withLock { state in
            state.nextID += 1
            state.slots[loginID, default: [:]][state.nextID] = state.isClosed ? .woken : .idle
            return Registration(loginID: loginID, id: state.nextID, waiters: self)
        }
    }

    /// Removes a registration; a suspended wait of it returns.
    public func unregister(_ registration: Registration) {
        let slot = state.withLock { state -> Slot? in
            let slot = state.slots[registration.loginID]?.removeValue(forKey: registration.id)
            if state.slots[registration.loginID]?.isEmpty == true { state.slots[registration.loginID] = nil }
            return slot
        }
        if case .suspended(let continuation) = slot { continuation.resume() }
    }

    /// Wakes every poll of `loginID` (its row changed).
    public func wake(_ loginID: UUID) {
        resume(
            state.withLock { state in
                state.awaiting[loginID] = nil
                return Self.markWoken(&state, loginID)
            }
        )
    }

    /// Wakes every poll (the listener reconnected: notifications may have been missed) and
    /// forgets which logins were pending.
    public func wakeAll() {
        resume(
            state.withLock { state in
                Self.forgetAwaiting(&state)
                return state.slots.keys.flatMap { Self.markWoken(&state, $0) }
            }
        )
    }

    /// Makes every wait, current and future, return at once (the process is shutting down).
    public func close() {
        resume(
            state.withLock { state in
                state.isClosed = true
                Self.forgetAwaiting(&state)
                return state.slots.keys.flatMap { Self.markWoken(&state, $0) }
            }
        )
    }

    /// Whether the `login_done` listener has its `LISTEN` in place (for `/readyz`).
    public var isListening: Bool { state.withLock { $0.isListening } }

    func setListening(_ listening: Bool) {
        state.withLock { state in
            state.isListening = listening
            if !listening { Self.forgetAwaiting(&state) }
        }
    }

    /// Registrations right now, for tests and metrics.
    public var count: Int { state.withLock { $0.slots.values.reduce(0) { $0 + $1.count } } }

    // MARK: - internals

    private static func forgetAwaiting(_ state: inout State) {
        state.awaiting.removeAll()
        state.awaitingOrder.removeAll()
    }

    private static func markWoken(_ state: inout State, _ loginID: UUID) -> [CheckedContinuation<Void, Never>] {
        guard var slots = state.slots[loginID] else { return [] }
        var continuations: [CheckedContinuation<Void, Never>] = []
        for (id, slot) in slots {
            if case .suspended(let continuation) = slot { continuations.append(continuation) }
            slots[id] = .woken
        }
        state.slots[loginID] = slots
        return continuations
    }

    private func resume(_ continuations: [CheckedContinuation<Void, Never>]) {
        for continuation in continuations { continuation.resume() }
    }

    /// Waits for a wake-up of `registration`, consuming it; returns at once on cancellation
    /// and on graceful shutdown, and at `deadline` at the latest.
    fileprivate func suspend(_ registration: Registration, until deadline: NIODeadline) async {
        await TimedWait.suspend(until: deadline, timerLoop: timers.next(), endsAtGracefulShutdown: true) { continuation in
            state.withLock { state -> Bool in
                guard let slot = state.slots[registration.loginID]?[registration.id] else { return false }
                if case .woken = slot {
                    state.slots[registration.loginID]?[registration.id] = .idle
                    return false
                }
                guard !state.isClosed else { return false }
                state.slots[registration.loginID]?[registration.id] = .suspended(continuation)
                return true
            }
        } release: {
            self.cancel(registration)
        }
    }

    /// Resumes a suspended wait without consuming a wake-up.
    private func cancel(_ registration: Registration) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard case .suspended(let continuation) = state.slots[registration.loginID]?[registration.id] else { return nil }
            state.slots[registration.loginID]?[registration.id] = .idle
            return continuation
        }
        continuation?.resume()
    }
}
