import LoginQueue
import Synchronization

/// Refuses new logins while too many jobs wait (`503 queue_full`), reading the depth at most
/// once per ``cacheDuration`` for the whole process, so a flood costs no extra query per
/// request: while one request refreshes the figure, the others use the previous one.
final class QueueDepthGate: Sendable {
    private struct Cached {
        var depth = 0
        var readAt: ContinuousClock.Instant?
        var refreshing = false
    }

    let maximumDepth: Int
    let cacheDuration: Duration
    private let cached = Mutex(Cached())

    init(maximumDepth: Int, cacheDuration: Duration) {
        self.maximumDepth = maximumDepth
        self.cacheDuration = cacheDuration
    }

    /// Throws `queue_full` when at least ``maximumDepth`` jobs are queued, and the queue's
    /// `database_unavailable` when the first reading fails.
    func check(jobs: APILoginJobs) async throws {
        let now = ContinuousClock.now
        let (depth, refresh) = cached.withLock { cached -> (Int?, Bool) in
            let fresh = cached.readAt.map { now - $0 < cacheDuration } ?? false
            if fresh || (cached.refreshing && cached.readAt != nil) { return (cached.depth, false) }
            cached.refreshing = true
            return (nil, true)
        }
        var current = depth ?? 0
        if refresh {
            do {
                current = try await jobs.queuedDepth(limit: maximumDepth)
                cached.withLock { $0 = Cached(depth: current, readAt: .now, refreshing: false) }
            } catch {
                cached.withLock { $0.refreshing = false }
                throw error
            }
        }
        if current >= maximumDepth {
            throw APIError.unavailable(
                .queueFull,
                "Too many logins are waiting; nothing was changed. Try again shortly.",
                retryAfterSeconds: 5
            )
        }
    }
}
