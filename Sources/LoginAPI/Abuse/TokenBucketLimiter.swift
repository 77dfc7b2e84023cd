import Synchronization

/// Per-client token buckets, in memory (each API process limits on its own): a client may
/// burst up to `perMinute` requests, then one more every `60 / perMinute` seconds. A client is a
/// key (``APIRequestContext/clientKey``: an IPv4 address or an IPv6 block).
///
/// Memory is bounded: when ``maximumClients`` buckets are kept and a new client arrives, the
/// full buckets (indistinguishable from a client never seen) are dropped, then — if that is not
/// enough — the least recently used tenth. A flood of new keys never empties the table, so it
/// cannot reset the clients that are being limited.
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
    private let buckets = Mutex<[IPNetwork?: Bucket]>([:])

    /// - Parameters:
    ///   - perMinute: burst size and refill per minute; at least 1.
    ///   - maximumClients: buckets kept at most; at least 10.
    init(perMinute: Int, maximumClients: Int = 100_000) {
        capacity = Double(max(1, perMinute))
        refillPerSecond = capacity / 60
        self.maximumClients = max(10, maximumClients)
    }

    /// How many clients have a bucket now.
    var clientCount: Int { buckets.withLock { $0.count } }

    /// Takes one token from `client`'s bucket (`nil`: requests without a socket share one).
    func take(for client: IPNetwork?, now: ContinuousClock.Instant = .now) -> Decision {
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
            if buckets[client] == nil, buckets.count >= maximumClients { makeRoom(in: &buckets, now: now) }
            buckets[client] = bucket
            return decision
        }
    }

    /// Drops the buckets that refilled (a client that comes back gets the same full bucket),
    /// then, while still full, the least recently used tenth: one sort per tenth of the table,
    /// not one scan per new client.
    private func makeRoom(in buckets: inout [IPNetwork?: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + refillPerSecond * seconds(from: bucket.updated, to: now) < capacity
        }
        guard buckets.count >= maximumClients else { return }
        let evicted = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(max(1, maximumClients / 10))
        for (key, _) in evicted { buckets.removeValue(forKey: key) }
    }

    private func seconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Double {
        let (whole, attoseconds) = (end - start).components
        return max(0, Double(whole) + Double(attoseconds) / 1e18)
    }
}
