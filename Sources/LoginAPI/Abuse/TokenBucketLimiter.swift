import Synchronization

/// Per-client token buckets, in memory (each API process limits on its own): a client may
/// burst up to `perMinute` requests, then one more every `60 / perMinute` seconds.
///
/// Memory is bounded: past ``maximumClients`` buckets, the full ones (indistinguishable from a
/// client never seen) are dropped, and if that is not enough, all of them.
final class TokenBucketLimiter: Sendable {
    enum Decision: Equatable {
        case allowed
        /// Refused; a token is back after this many whole seconds (at least 1).
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let capacity: Double
    let refillPerSecond: Double
    let maximumClients: Int
    private let buckets = Mutex<[IPAddress?: Bucket]>([:])

    /// - Parameters:
    ///   - perMinute: burst size and refill per minute; at least 1.
    ///   - maximumClients: buckets kept before a sweep.
    init(perMinute: Int, maximumClients: Int = 100_000) {
        capacity = Double(max(1, perMinute))
        refillPerSecond = capacity / 60
        self.maximumClients = maximumClients
    }

    /// Takes one token from `client`'s bucket (`nil`: requests without a socket share one).
    func take(for client: IPAddress?, now: ContinuousClock.Instant = .now) -> Decision {
        buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + refillPerSecond * seconds(from: bucket.updated, to: now))
            bucket.updated = now
            let decision: Decision
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                decision = .allowed
            } else {
                let wait = (1 - bucket.tokens) / refillPerSecond
                decision = .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
            }
            if buckets[client] == nil, buckets.count >= maximumClients { sweep(&buckets, now: now) }
            buckets[client] = bucket
            return decision
        }
    }

    private func sweep(_ buckets: inout [IPAddress?: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + refillPerSecond * seconds(from: bucket.updated, to: now) < capacity
        }
        if buckets.count >= maximumClients { buckets.removeAll(keepingCapacity: true) }
    }

    private func seconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Double {
        let (whole, attoseconds) = (end - start).components
        return max(0, Double(whole) + Double(attoseconds) / 1e18)
    }
}
