import Foundation
import TestSupport

/// A throw-away HTTP server for a folder (Python's `http.server` on a free loopback port), for
/// browser tests that need pages but not the API. Requests other than GET and HEAD get 501.
struct StaticFileServer: Sendable {
    /// `http://127.0.0.1:<port>`.
    let baseURL: URL
    private let process: HelperProcess

    /// Serves `directory` while `body` runs, and stops the server however `body` ends.
    static func withServer<Result>(
        serving directory: URL,
        _ body: (StaticFileServer) async throws -> Result
    ) async throws -> Result {
        try await withStopping(try await start(serving: directory), stop: { await $0.stop() }, body)
    }

    /// Starts a server; the caller must ``stop()`` it (prefer ``withServer(serving:_:)``).
    static func start(serving directory: URL) async throws -> StaticFileServer {
        guard let python = BrowserTools.which("python3") else {
            throw WebDriverError.toolMissing("The static file server needs python3 on PATH (Debian: apt-get install -y python3).")
        }
        let (process, port) = try await HelperProcess.launch(
            name: "http.server",
            executable: python,
            arguments: ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory.path],
            readyPort: HelperProcess.port(after: " port ")
        )
        return StaticFileServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, process: process)
    }

    /// The absolute URL of `path` (which starts with `/` and may carry a query).
    func url(_ path: String) -> URL {
        URL(string: baseURL.absoluteString + path)!
    }

    /// Stops the server. Safe to call more than once.
    func stop() async {
        await process.stop()
    }
}
