import Foundation
import ServiceLifecycle
import Synchronization

/// The long-polls waiting in this process, by `login_id`, woken by ``LoginDoneListener``.
///
/// A poll registers *before* it reads the login's row, so a completion committed between that
/// read and the wait is not lost: the wake-up is remembered by the registration and the next
/// ``Registration/wait(upTo:)`` returns at once. Every registration is woken when the listener
/// (re)connects (notifications sent while it was away are lost), and each wait is bounded by
/// the caller's re-check interval as a safety net.
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
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await waiters.suspend(self) }
                group.addTask { try? await Task.sleep(for: duration) }
                await group.next()
                group.cancelAll()
            }
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
    }

    private let state = Mutex(State())

    public init() {}

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
        resume(state.withLock { state in Self.markWoken(&state, loginID) })
    }

    /// Wakes every poll (the listener reconnected: notifications may have been missed).
    public func wakeAll() {
        resume(state.withLock { state in state.slots.keys.flatMap { Self.markWoken(&state, $0) } })
    }

    /// Makes every wait, current and future, return at once (the process is shutting down).
    public func close() {
        resume(
            state.withLock { state in
                state.isClosed = true
                return state.slots.keys.flatMap { Self.markWoken(&state, $0) }
            })
    }

    /// Whether the `login_done` listener has its `LISTEN` in place (for `/readyz`).
    public var isListening: Bool { state.withLock { $0.isListening } }

    func setListening(_ listening: Bool) {
        state.withLock { $0.isListening = listening }
    }

    /// Registrations right now, for tests and metrics.
    public var count: Int { state.withLock { $0.slots.values.reduce(0) { $0 + $1.count } } }

    // MARK: - internals

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
    /// and on graceful shutdown.
    fileprivate func suspend(_ registration: Registration) async {
        await withTaskCancellationOrGracefulShutdownHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard let slot = state.slots[registration.loginID]?[registration.id] else { return true }
                    if case .woken = slot {
                        state.slots[registration.loginID]?[registration.id] = .idle
                        return true
                    }
                    if Task.isCancelled || state.isClosed { return true }
                    state.slots[registration.loginID]?[registration.id] = .suspended(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancelOrGracefulShutdown: {
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
