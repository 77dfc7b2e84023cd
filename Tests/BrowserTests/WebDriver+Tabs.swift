import Foundation

/// Tabs, asynchronous scripts, cookies and the network of a session: what the tests of a page on
/// another origin need besides ``WebDriver``'s basics.
extension WebDriver {
    /// Runs JavaScript that ends by calling its last argument (`execute/async`); that call's
    /// value comes back as JSON.
    @discardableResult
    func executeAsyncScript(_ script: String, _ arguments: JSONValue...) async throws -> JSONValue {
        try await command(
            "POST",
            "/execute/async",
            body: ["script": .string(script), "args": .array(arguments)],
            name: "execute async script"
        )
    }

    /// The current tab's handle.
    func windowHandle() async throws -> String {
        let value = try await command("GET", "/window", name: "get window handle")
        guard let handle = value.stringValue else { throw WebDriverError.malformedAnswer(command: "get window handle", detail: "\(value)") }
        return handle
    }

    /// Opens a new tab (with a sessionStorage of its own, as a tab the user opens) and switches to it.
    func openTab() async throws {
        let value = try await command("POST", "/window/new", body: ["type": "tab"], name: "new window")
        guard let handle = value["handle"]?.stringValue else {
            throw WebDriverError.malformedAnswer(command: "new window", detail: "\(value)")
        }
        try await switchToTab(handle)
    }

    /// Makes the tab `handle` the current one.
    func switchToTab(_ handle: String) async throws {
        _ = try await command("POST", "/window", body: ["handle": .string(handle)], name: "switch to window")
    }

    /// The cookies the current page's address would send: `name`, `sameSite`, `httpOnly`, ….
    func cookies() async throws -> [JSONValue] {
        guard case .array(let cookies) = try await command("GET", "/cookie", name: "get cookies") else {
            throw WebDriverError.malformedAnswer(command: "get cookies", detail: "not an array")
        }
        return cookies
    }

    /// Takes the browser off the network (every request fails at once) or puts it back
    /// (chromedriver's `network_conditions`).
    func setOffline(_ offline: Bool) async throws {
        let conditions: JSONValue = ["offline": .bool(offline), "latency": 0, "download_throughput": -1, "upload_throughput": -1]
        _ = try await command("POST", "/chromium/network_conditions", body: ["network_conditions": conditions], name: "network conditions")
    }
}
