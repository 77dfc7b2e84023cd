import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A W3C WebDriver session with a headless Chromium, for browser tests.
///
/// ```swift
/// try await WebDriver.withSession(named: "login") { browser in
///     try await browser.navigate(to: URL(string: "http://127.0.0.1:8080/")!)
///     try await browser.click("#login-button")
///     let status = try await browser.waitForText("#status", in: ["succeeded", "failed"])
///     try await browser.saveScreenshot(named: "login-\(status)")
/// }
/// ```
///
/// ``withSession(named:tools:windowWidth:windowHeight:thirdPartyCookies:_:)`` starts chromedriver on a free port
/// and a browser with a throw-away profile, and ends both on every path: success, a thrown error
/// (after saving a `<name>-failure.png` screenshot), cancellation. Waits poll with a timeout; there
/// are no fixed sleeps. Nothing here logs: page content may hold codes and tokens.
struct WebDriver: Sendable {
    /// The chromedriver endpoint, `http://127.0.0.1:<port>`.
    let endpoint: URL
    /// The session id chromedriver gave.
    let sessionID: String

    /// How long a wait lasts unless told otherwise.
    static let defaultTimeout: Duration = .seconds(30)

    /// How long one command may take (a page load, a screenshot).
    static let commandTimeout: TimeAmount = .seconds(120)
    /// The largest answer read (a screenshot of a big window is a few MiB of base64).
    private static let maxAnswerBytes = 64 << 20

    // MARK: - Sessions

    /// Runs `body` with a new browser session and ends the session and chromedriver however
    /// `body` ends. Throws ``WebDriverError/toolMissing(_:)`` when Chromium or chromedriver is
    /// not installed (the test then fails, it does not skip).
    /// - Parameter name: names the failure screenshot (`<name>-failure.png`).
    static func withSession<Result>(
        named name: String,
        tools: BrowserTools? = nil,
        windowWidth: Int = 1280,
        windowHeight: Int = 1000,
        thirdPartyCookies: Bool? = nil,
        _ body: (WebDriver) async throws -> Result
    ) async throws -> Result {
        let tools = try tools ?? BrowserTools.locate()
        let driver = try await ChromeDriver.start(tools)
        let browser: WebDriver
        do {
            browser = try await driver.newSession(
                windowWidth: windowWidth,
                windowHeight: windowHeight,
                thirdPartyCookies: thirdPartyCookies
            )
        } catch {
            await driver.stop()
            throw error
        }
        do {
            let result = try await body(browser)
            await browser.end()
            await driver.stop()
            return result
        } catch {
            await Cleanup.run { _ = try? await browser.saveScreenshot(named: "\(name)-failure") }
            await browser.end()
            await driver.stop()
            throw error
        }
    }

    /// Deletes the session (closes the browser); never throws, runs even when cancelled.
    func end() async {
        await Cleanup.run { _ = try? await command("DELETE", "", name: "delete session") }
    }

    // MARK: - Navigation

    /// Loads `url` and waits for the page load to complete.
    func navigate(to url: URL) async throws {
        _ = try await command("POST", "/url", body: ["url": .string(url.absoluteString)], name: "navigate")
    }

    /// The address in the browser's address bar.
    func currentURL() async throws -> URL {
        let value = try await command("GET", "/url", name: "get current url")
        guard let text = value.stringValue, let url = URL(string: text) else {
            throw WebDriverError.malformedAnswer(command: "get current url", detail: "\(value)")
        }
        return url
    }

    /// The document's title.
    func title() async throws -> String {
        try await string(command("GET", "/title", name: "get title"), "get title")
    }

    /// Reloads the current page.
    func refresh() async throws {
        _ = try await command("POST", "/refresh", body: [:], name: "refresh")
    }

    // MARK: - Elements

    /// The first element matching a CSS selector; throws `no such element` when there is none.
    func findElement(_ selector: String) async throws -> WebElement {
        let value = try await command(
            "POST",
            "/element",
            body: ["using": "css selector", "value": .string(selector)],
            name: "find \(selector)"
        )
        guard let element = WebElement(value) else {
            throw WebDriverError.malformedAnswer(command: "find \(selector)", detail: "no element reference")
        }
        return element
    }

    /// Every element matching a CSS selector (possibly none).
    func findElements(_ selector: String) async throws -> [WebElement] {
        let value = try await command(
            "POST",
            "/elements",
            body: ["using": "css selector", "value": .string(selector)],
            name: "find all \(selector)"
        )
        guard case .array(let items) = value else {
            throw WebDriverError.malformedAnswer(command: "find all \(selector)", detail: "not an array")
        }
        return items.compactMap(WebElement.init)
    }

    /// Clicks an element (scrolled into view; fails when something covers it).
    func click(_ element: WebElement) async throws {
        _ = try await command("POST", "/element/\(element.id)/click", body: [:], name: "click")
    }

    /// Clicks the first element matching a CSS selector.
    func click(_ selector: String) async throws {
        try await click(findElement(selector))
    }

    /// An element's rendered text (empty for hidden elements), as a user sees it.
    func text(of element: WebElement) async throws -> String {
        try await string(command("GET", "/element/\(element.id)/text", name: "get text"), "get text")
    }

    /// The rendered text of the first element matching a CSS selector.
    func text(_ selector: String) async throws -> String {
        try await text(of: findElement(selector))
    }

    /// An element's attribute (`href`, `data-status`…), nil when absent.
    func attribute(_ name: String, of element: WebElement) async throws -> String? {
        try await command("GET", "/element/\(element.id)/attribute/\(name)", name: "get attribute \(name)").stringValue
    }

    /// Whether an element is displayed.
    func isDisplayed(_ element: WebElement) async throws -> Bool {
        let value = try await command("GET", "/element/\(element.id)/displayed", name: "is displayed")
        guard let shown = value.boolValue else {
            throw WebDriverError.malformedAnswer(command: "is displayed", detail: "\(value)")
        }
        return shown
    }

    // MARK: - Scripts

    /// Runs JavaScript in the page (`execute/sync`): the script is a function body; `arguments[i]`
    /// are `arguments` (a ``WebElement/jsonValue`` arrives as the DOM element); its `return`
    /// value comes back as JSON.
    @discardableResult
    func executeScript(_ script: String, _ arguments: JSONValue...) async throws -> JSONValue {
        try await command(
            "POST",
            "/execute/sync",
            body: ["script": .string(script), "args": .array(arguments)],
            name: "execute script"
        )
    }

    // MARK: - Waiting

    /// Polls `condition` until it returns a value, and returns that value; throws
    /// ``WebDriverError/timedOut(waitingFor:lastObserved:)`` after `timeout` with the last error
    /// seen (a missing element, say). A bound for failing, not a speed assertion.
    @discardableResult
    func waitUntil<Value>(
        _ description: String,
        timeout: Duration = WebDriver.defaultTimeout,
        pollInterval: Duration = .milliseconds(100),
        _ condition: () async throws -> Value?
    ) async throws -> Value {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var lastObserved: String?
        while true {
            do {
                if let value = try await condition() { return value }
            } catch let error as WebDriverError {
                lastObserved = error.description
            }
            if clock.now >= deadline {
                throw WebDriverError.timedOut(waitingFor: description, lastObserved: lastObserved)
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Waits until an element matching `selector` exists, and returns it.
    func waitForElement(_ selector: String, timeout: Duration = WebDriver.defaultTimeout) async throws -> WebElement {
        try await waitUntil("an element \(selector)", timeout: timeout) {
            try await findElements(selector).first
        }
    }

    /// Waits until the text of `selector` is one of `accepted`, and returns it.
    @discardableResult
    func waitForText(
        _ selector: String,
        in accepted: Set<String>,
        timeout: Duration = WebDriver.defaultTimeout
    ) async throws -> String {
        var last = "nothing"
        do {
            return try await waitUntil("\(selector) to read one of \(accepted.sorted())", timeout: timeout) {
                guard let element = try await findElements(selector).first else { return nil }
                let text = try await self.text(of: element)
                last = "\"\(text)\""
                return accepted.contains(text) ? text : nil
            }
        } catch WebDriverError.timedOut(let what, _) {
            throw WebDriverError.timedOut(waitingFor: what, lastObserved: last)
        }
    }

    // MARK: - Screenshots

    /// A PNG of the viewport.
    func screenshot() async throws -> Data {
        let value = try await command("GET", "/screenshot", name: "screenshot")
        guard let base64 = value.stringValue, let png = Data(base64Encoded: base64) else {
            throw WebDriverError.malformedAnswer(command: "screenshot", detail: "not base64")
        }
        return png
    }

    /// Saves a screenshot as `<name>.png` under ``TestArtifacts/directory`` and returns its path.
    @discardableResult
    func saveScreenshot(named name: String) async throws -> URL {
        let png = try await screenshot()
        let file = try TestArtifacts.file(named: name, fileExtension: "png")
        try png.write(to: file, options: .atomic)
        return file
    }

    // MARK: - Protocol

    /// Sends a command of this session (`path` is relative to `/session/{id}`) and returns its `value`.
    func command(_ method: String, _ path: String, body: JSONValue? = nil, name: String) async throws -> JSONValue {
        let url = URL(string: endpoint.absoluteString + "/session/" + sessionID + path)!
        return try await Self.send(method, url, body: body, command: name)
    }

    /// Sends one WebDriver request and unwraps `{"value": …}`; a W3C error becomes
    /// ``WebDriverError/command(command:status:error:message:)``.
    ///
    /// AsyncHTTPClient, not URLSession: chromedriver writes headers without a space after the
    /// colon (`Content-Length:791`), which Foundation's URLSession on Linux rejects
    /// ("Failed writing header").
    static func send(_ method: String, _ url: URL, body: JSONValue?, command: String) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: commandTimeout)
        let data = Data(buffer: try await response.body.collect(upTo: maxAnswerBytes))
        let status = Int(response.status.code)
        let answer: JSONValue
        do {
            answer = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw WebDriverError.malformedAnswer(
                command: command,
                detail: "HTTP \(status), not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))"
            )
        }
        let value = answer["value"] ?? .null
        guard (200..<300).contains(status) else {
            throw WebDriverError.command(
                command: command,
                status: status,
                error: value["error"]?.stringValue ?? "unknown error",
                message: String((value["message"]?.stringValue ?? "").prefix(1000))
            )
        }
        return value
    }

    private func string(_ value: JSONValue, _ command: String) throws -> String {
        guard let text = value.stringValue else {
            throw WebDriverError.malformedAnswer(command: command, detail: "\(value)")
        }
        return text
    }
}
