import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Postgres
import TestSupport
import Testing

/// What the SPA tests do with the browser, the emulators and the API's database.
enum SPASteps {
    /// The SPA's start page on `origin`, in `binding` mode, ready.
    static func open(_ browser: WebDriver, _ origin: String, binding: String = "cookie") async throws {
        try await browser.navigate(to: URL(string: "\(origin)/index.html?binding=\(binding)")!)
        try await browser.waitForText("#status", in: ["idle"])
    }

    /// The Kakao button, then on the emulator's consent page: `user` agrees, or cancels when nil.
    static func kakao(_ browser: WebDriver, as user: Int64?) async throws {
        try await browser.click("#kakao")
        _ = try await browser.waitForElement("form[action='/oauth/authorize/consent']")
        guard let user else { return try await browser.click("button[name=action][value=cancel]") }
        try await browser.click("input[name=user_id][value='\(user)']")
        try await browser.click("button[name=action][value=agree]")
    }

    /// The Google button, then on the emulator's account chooser: `sub` continues.
    static func google(_ browser: WebDriver, as sub: String) async throws {
        try await browser.click("#google")
        _ = try await browser.waitForElement("form[action='/o/oauth2/v2/auth/approve']")
        try await browser.click("input[name=account][value='\(sub)']")
        try await browser.click("button[name=action][value=allow]")
    }

    /// Waits for the callback page's outcome; returns `succeeded`, or `failed <error code>`.
    static func outcome(_ browser: WebDriver, screenshot name: String, timeout: Duration = WebDriver.defaultTimeout) async throws -> String
    {
        let status = try await browser.waitForText("#status", in: ["succeeded", "failed"], timeout: timeout)
        try await browser.saveScreenshot(named: name)
        return status == "succeeded" ? status : "failed \(try await browser.text("#error-code"))"
    }

    /// Clicks `button` and waits until `result` shows something.
    static func press(_ browser: WebDriver, _ button: String, result: String) async throws -> String {
        try await browser.click(button)
        return try await browser.waitUntil("\(result) to show a result") {
            let text = try await browser.text(result)
            return text.isEmpty ? nil : text
        }
    }

    /// The attempt cookie the browser keeps for the API (cookies are per host, not per port).
    static func attemptCookie(_ browser: WebDriver, _ server: SPAServer) async throws -> JSONValue? {
        try await browser.navigate(to: URL(string: server.api.apiURL + "/auth/providers")!)
        return try await browser.cookies().first { $0["name"]?.stringValue?.hasSuffix("login_attempt") == true }
    }

    /// Sets an emulator's fault injection (`{}` turns it off).
    static func faults(_ emulatorURL: String, _ json: String) async throws {
        var request = HTTPClientRequest(url: emulatorURL + "/_emulator/faults")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 200)
    }

    /// Runs one statement on the API's database; the column `v` of its first row, as text.
    @discardableResult
    static func sql(_ server: SPAServer, _ query: SQLQuery) async throws -> String? {
        let configuration = PostgresConfiguration(connectionString: server.api.connectionString)
        return try await PostgresConnection.withConnection(configuration: configuration, logger: TestEnvironment.logger) {
            try await $0.query(query).first?.decode(String?.self, "v")
        }
    }
}

extension SPASteps {
    /// A GET to the API from the test (not the browser): the status and the JSON object.
    static func get(_ url: String, headers: [(String, String)]) async throws -> (status: Int, json: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }

    /// Runs `body` with an emulator's faults set to `json`, and turns them off however it ends.
    static func withFaults<Result>(_ emulatorURL: String, _ json: String, _ body: () async throws -> Result) async throws -> Result {
        try await faults(emulatorURL, json)
        do {
            let result = try await body()
            try await faults(emulatorURL, "{}")
            return result
        } catch {
            try? await faults(emulatorURL, "{}")
            throw error
        }
    }
}
