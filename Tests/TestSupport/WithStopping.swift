/// Runs `body` with a started `resource` (a server, a child process) and stops it however
/// `body` ends, then returns `body`'s result or throws its error.
public func withStopping<Resource, Result>(
    _ resource: Resource,
    stop: (Resource) async -> Void,
    _ body: (Resource) async throws -> Result
) async throws -> Result {
    do {
        let result = try await body(resource)
        await stop(resource)
        return result
    } catch {
        await stop(resource)
        throw error
    }
}
