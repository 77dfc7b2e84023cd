import Synchronization

/// Metric handles (swift-metrics counters, timers) kept by their dimension values, so a hot
/// path records into an existing handle instead of asking the metrics factory for one on every
/// request (a factory lookup sanitises names and labels and takes the registry's lock).
/// Keys must be low-cardinality, as the dimensions themselves must be.
public final class MetricHandles<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])
    private let make: @Sendable (Key) -> Handle

    /// - Parameter make: creates the handle of a key the first time it is used.
    public init(_ make: @escaping @Sendable (Key) -> Handle) {
        self.make = make
    }

    /// The handle of `key`, made on first use.
    public subscript(_ key: Key) -> Handle {
        if let handle = handles.withLock({ $0[key] }) { return handle }
        let made = make(key)
        return handles.withLock { handles in
            if let existing = handles[key] { return existing }
            handles[key] = made
            return made
        }
    }
}
