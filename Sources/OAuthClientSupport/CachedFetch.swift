/// A value fetched from a provider and kept (a discovery document, a key set): fetched again when
/// its lifetime has run out or a caller finds it insufficient, with concurrent callers sharing one
/// fetch. A failed fetch keeps nothing; the next call tries again.
package actor CachedFetch<Value: Sendable, Failure: Error> {
    /// A fetched value and how long it may be kept (nil: until a caller finds it insufficient).
    package struct Fetched: Sendable {
        package let value: Value
        package let lifetime: Duration?

        package init(value: Value, lifetime: Duration?) {
            self.value = value
            self.lifetime = lifetime
        }
    }

    package typealias Fetch = @Sendable () async throws(Failure) -> Fetched

    private var stored: (value: Value, fetchedAt: ContinuousClock.Instant, lifetime: Duration?)?
    private var pending: Task<Result<Fetched, Failure>, Never>?

    package init() {}

    /// The kept value while it is fresh and `isSufficient` says so; an insufficient fresh value
    /// is also returned, unfetched, when the last fetch is younger than `minimumRefetchInterval`
    /// and none is under way. Otherwise the value `fetch` brings (or the one a concurrent caller's
    /// fetch brings).
    package func value(
        minimumRefetchInterval: Duration = .zero,
        isSufficient: @Sendable (Value) -> Bool = { _ in true },
        fetch: @escaping Fetch
    ) async throws(Failure) -> Value {
        if let stored {
            let age = ContinuousClock.now - stored.fetchedAt
            let fresh = stored.lifetime.map { age < $0 } ?? true
            if fresh && (isSufficient(stored.value) || (pending == nil && age < minimumRefetchInterval)) {
                return stored.value
            }
        }
        let task: Task<Result<Fetched, Failure>, Never>
        if let pending {
            task = pending
        } else {
            task = Task {
                do throws(Failure) {
                    return .success(try await fetch())
                } catch {
                    return .failure(error)
                }
            }
            pending = task
        }
        let result = await task.value
        // Only the fetch still pending is stored: the actor's state changes in one step, with no
        // suspension between the time and the value.
        if pending == task {
            pending = nil
            if case .success(let fetched) = result { stored = (fetched.value, .now, fetched.lifetime) }
        }
        return try result.get().value
    }
}
