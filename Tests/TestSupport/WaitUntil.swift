/// Polls `condition` every 20 ms until it holds; throws after `limit` (a safety net against a
/// hang, not a timing assertion: pick limits far above the expected time).
public func waitUntil(
    _ what: String,
    limit: Duration = .seconds(30),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while true {
        if try await condition() { return }
        guard clock.now < deadline else { throw TestSupportError("timed out waiting until \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
