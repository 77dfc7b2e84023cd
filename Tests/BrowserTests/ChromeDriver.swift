import Foundation

/// A chromedriver process on a free loopback port (`--port=0`; the port is read from its output;
/// only local connections are allowed, chromedriver's default) and the throw-away profile folder
/// of the browser it starts.
struct ChromeDriver: Sendable {
    /// `http://127.0.0.1:<port>`: the WebDriver endpoint.
    let endpoint: URL
    let tools: BrowserTools
    private let process: HelperProcess
    private let profileDirectory: URL

    /// Starts chromedriver and waits until it listens.
    static func start(_ tools: BrowserTools) async throws -> ChromeDriver {
        let profileDirectory = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
            .appendingPathComponent("kakao-login-chromium-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: profileDirectory, withIntermediateDirectories: true)
        do {
            let (process, port) = try await HelperProcess.launch(
                name: "chromedriver",
                executable: tools.chromedriver,
                arguments: ["--port=0", "--log-level=WARNING"],
                readyPort: HelperProcess.port(after: "started successfully on port ")
            )
            return ChromeDriver(
                endpoint: URL(string: "http://127.0.0.1:\(port)")!,
                tools: tools,
                process: process,
                profileDirectory: profileDirectory
            )
        } catch {
            try? FileManager.default.removeItem(at: profileDirectory)
            throw error
        }
    }

    /// Opens a new headless Chromium session (W3C `POST /session`).
    /// - Parameter thirdPartyCookies: false blocks them, true allows them (Chromium's
    ///   `profile.cookie_controls_mode` preference); nil leaves the browser's default.
    func newSession(windowWidth: Int = 1280, windowHeight: Int = 1000, thirdPartyCookies: Bool? = nil) async throws -> WebDriver {
        let arguments = BrowserTools.chromiumArguments(
            profileDirectory: profileDirectory,
            windowWidth: windowWidth,
            windowHeight: windowHeight
        )
        let capabilities: JSONValue = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "timeouts": ["implicit": 0, "pageLoad": 60_000, "script": 30_000],
                    "goog:chromeOptions": [
                        "binary": .string(tools.chromium.path),
                        "args": .array(arguments.map(JSONValue.string)),
                        "prefs": thirdPartyCookies.map { .object(["profile.cookie_controls_mode": .number($0 ? 0 : 1)]) } ?? .object([:]),
                    ],
                ]
            ]
        ]
        let value = try await WebDriver.send(
            "POST",
            endpoint.appendingPathComponent("session"),
            body: capabilities,
            command: "new session"
        )
        guard let sessionID = value["sessionId"]?.stringValue else {
            throw WebDriverError.malformedAnswer(command: "new session", detail: "no sessionId")
        }
        return WebDriver(endpoint: endpoint, sessionID: sessionID)
    }

    /// Stops chromedriver and every browser process it started; removes the profile folder.
    func stop() async {
        await process.stop()
        try? FileManager.default.removeItem(at: profileDirectory)
    }
}
