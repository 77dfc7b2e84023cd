/// The prepared statements of one connection, keyed by SQL text and parameter types, bounded:
/// when full, the least recently used one is evicted (and deallocated on the server).
///
/// Not thread-safe on its own: ``LibPQConnection`` uses it only under its lock.
struct PreparedStatementCache {
    struct Key: Hashable {
        var sql: String
        var types: [UInt32]
    }

    /// A class, so that a hit updates `lastUse` without writing the dictionary again.
    private final class Entry {
        let name: String
        var lastUse: UInt64
        init(name: String, lastUse: UInt64) {
            self.name = name
            self.lastUse = lastUse
        }
    }

    /// How many statements are kept; 0 turns preparing off.
    let capacity: Int
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var counter = 0

    init(capacity: Int) { self.capacity = max(0, capacity) }

    mutating func lookup(_ key: Key) -> String? {
        clock &+= 1
        guard let entry = entries[key] else { return nil }
        entry.lastUse = clock
        return entry.name
    }

    /// Removes the least recently used statement when the cache is full; returns its name.
    mutating func evictIfFull() -> String? {
        guard entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else {
            return nil
        }
        entries[oldest.key] = nil
        return oldest.value.name
    }

    /// A statement name not used before on this connection.
    mutating func nextName() -> String {
        counter += 1
        return "kl_s\(counter)"
    }

    mutating func insert(_ key: Key, name: String) {
        clock &+= 1
        entries[key] = Entry(name: name, lastUse: clock)
    }

    /// Forgets every statement (after a reconnect, or when the server invalidated a plan).
    mutating func removeAll() { entries.removeAll() }
}
