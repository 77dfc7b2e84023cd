import Synchronization

/// Refuses new logins while a count kept in the database is at its ceiling — queued jobs
/// (`LOGIN_QUEUE_MAX_DEPTH`), unused attempts of every client together
/// (`LOGIN_MAX_PENDING_ATTEMPTS`) — reading the count at most once per ``cacheDuration`` for the
/// whole process, so a flood costs no extra query per request: while one request refreshes the
/// figure, the others use the previous one.
final class CountGate: Sendable {
    private struct Cached {
        var count = 0
        var readAt: ContinuousClock.Instant?
        var refreshing = false
    }

    let maximum: Int
    let cacheDuration: Duration
    /// Counts up to `limit + 1` (a bounded scan).
    private let count: @Sendable (_ limit: Int) async throws -> Int
    /// What a refused request gets.
    private let refusal: APIError
    private let cached = Mutex(Cached())

    init(maximum: Int, cacheDuration: Duration, refusal: APIError, count: @escaping @Sendable (_ limit: Int) async throws -> Int) {
        self.maximum = maximum
        self.cacheDuration = cacheDuration
        self.refusal = refusal
        self.count = count
    }

    /// Throws the refusal when the count is at least ``maximum``, and the counting call's error
    /// (`database_unavailable`) when the first reading fails.
    func check() async throws {
        let now = ContinuousClock.now
        let (known, refresh) = cached.withLock { cached -> (Int?, Bool) in
            let fresh = cached.readAt.map { now - $0 < cacheDuration } ?? false
            if fresh || (cached.refreshing && cached.readAt != nil) { return (cached.count, false) }
            cached.refreshing = true
            return (nil, true)
        }
        var current = known ?? 0
        if refresh {
            do {
                current = try await count(maximum)
                cached.withLock { $0 = Cached(count: current, readAt: .now, refreshing: false) }
            } catch {
                cached.withLock { $0.refreshing = false }
                throw error
            }
        }
        if current >= maximum { throw refusal }
    }
}
