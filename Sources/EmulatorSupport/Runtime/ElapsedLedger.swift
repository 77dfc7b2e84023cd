import Synchronization

/// Time an emulator spent answering the backend calls of each user (token, profile and the
/// other backend calls), injected latency included: the same time the `X-Emulator-Elapsed-Ms`
/// header reports, summed per user. A load test that mints each login's code for a fresh
/// synthetic user reads it back (`GET /_emulator/elapsed?user_ids=…`) and subtracts it from what
/// the login took. Users are named by their provider id as text (Kakao's number, Google's `sub`).
///
/// Only calls that reach a handler are attributed: a call answered by an injected error, quota,
/// timeout or drop before any work names no user. Entries untouched for ten minutes (emulated
/// clock) are forgotten, at most once a minute, so the ledger stays small however long it runs.
package final class ElapsedLedger: Sendable {
    /// One user's sum.
    package struct Entry: Sendable, Equatable {
        package var milliseconds: Double
        package var calls: Int
        /// When it last grew (emulated Unix seconds).
        var updated: Double
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var pruning = PruneSchedule()
    }

    /// How long an untouched entry is kept.
    static let retentionSeconds: Double = 600

    private let state = Mutex(State())

    package init() {}

    /// Adds one call of `userID` that took `milliseconds`.
    package func add(userID: String, milliseconds: Double, now: Double) {
        state.withLock { state in
            var entry = state.entries[userID] ?? Entry(milliseconds: 0, calls: 0, updated: now)
            entry.milliseconds += milliseconds
            entry.calls += 1
            entry.updated = now
            state.entries[userID] = entry
            if state.pruning.isDue(now: now) {
                state.entries = state.entries.filter { now - $0.value.updated < Self.retentionSeconds }
            }
        }
    }

    /// The sums of these users; users with no attributed call are absent.
    package func entries(for userIDs: [String]) -> [String: Entry] {
        state.withLock { state in
            var found: [String: Entry] = [:]
            for id in userIDs {
                if let entry = state.entries[id] { found[id] = entry }
            }
            return found
        }
    }
}

/// Which user the current request acted for, set by the handler that learns it and read by
/// ``EmulatorMiddleware`` once the answer is ready. One per request (a class, so the copy of the
/// context the handler gets shares it with the middleware's).
package final class RequestAttribution: Sendable {
    private let userID = Mutex<String?>(nil)

    package init() {}

    /// Records that the request acted for `id`.
    package func attribute(to id: String) {
        userID.withLock { $0 = id }
    }

    /// The user the request acted for, if a handler said.
    package var user: String? {
        userID.withLock { $0 }
    }
}
