import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import Postgres
import TestSupport
import Testing

/// The demo page, in a real headless Chromium, against a running `kakao-login dev`: the
/// "카카오 로그인" button, the emulator's real consent page, back to the callback page, logged in.
/// Each test logs in a test user of its own, so their order does not matter. Screenshots of every
/// step are kept in the test artifacts. Fails (never skips) without Chromium.
@Suite("Demo page logins in a real browser", .serialized, .devServer)
struct DemoLoginTests {
    static let ryan: Int64 = 3_141_592_653
    static let apeach: Int64 = 1_376_016_924_426_814_086
    static let muzi: Int64 = 2_718_281_828

    @Test("a new user, then the same user again")
    func newUserThenAgain() async throws {
        let server = try DevServerTrait.server()
        try await WebDriver.withSession(named: "dev-new-user") { browser in
            try await logIn(browser, server, as: Self.ryan, screenshots: "dev-new-user")
            #expect(try await browser.text("#is-new-user") == "true")
            let claims = try await Self.claims(browser)
            #expect(claims["alg"] as? String == "ES256")
            #expect(claims["sub"] as? String == (try await browser.text("#user-id")))
            #expect(claims["sid"] is String && claims["jti"] is String && claims["exp"] is Int)
            #expect(try await browser.text("#user-nickname") == "라이언")
            #expect(try await browser.currentURL().query == nil, "the code must leave the address bar")
            #expect(try await browser.text("#login-posts") == "1")

            try await logIn(browser, server, as: Self.ryan, screenshots: "dev-same-user-again")
            #expect(try await browser.text("#is-new-user") == "false")
        }
    }

    @Test("a user who declines the consent sees a clear message")
    func declinedConsent() async throws {
        let server = try DevServerTrait.server()
        let jobsBefore = try await Self.jobCount(server)
        try await WebDriver.withSession(named: "dev-declined") { browser in
            try await openConsentPage(browser, server)
            try await browser.saveScreenshot(named: "dev-declined-1-consent-page")
            try await browser.click("button[name=action][value=cancel]")
            try await browser.waitForText("#status", in: ["failed", "succeeded"])
            try await browser.saveScreenshot(named: "dev-declined-2-callback")
            #expect(try await browser.text("#status") == "failed")
            #expect(try await browser.text("#error-code") == "access_denied")
            #expect(try await browser.text("#error-message").contains("You declined the consent screen."))
            #expect(try await browser.currentURL().path == "/auth/kakao/callback")
            #expect(try await browser.currentURL().query == nil)
            #expect(try await browser.text("#login-posts") == "0")
        }
        #expect(try await Self.jobCount(server) == jobsBefore, "a declined consent posts no code")
    }

    @Test("a double-fired callback and a reload are still one login")
    func doubleFiredCallback() async throws {
        let server = try DevServerTrait.server()
        let jobsBefore = try await Self.jobCount(server)
        let statsBefore = try await Self.emulatorStats(server)
        try await WebDriver.withSession(named: "dev-double-fired") { browser in
            try await openConsentPage(browser, server)
            try await browser.click("input[name=user_id][value='\(Self.apeach)']")
            try await browser.click("button[name=action][value=agree]")
            // React StrictMode runs an effect twice: fire the callback again at once, twice.
            _ = try await browser.waitForElement("body[data-page=callback]")
            let completeTwice = """
                import("/sdk/kakao-login.js").then((m) => { m.completeLogin().catch(() => {}); m.completeLogin().catch(() => {}); });
                """
            try await browser.executeScript(completeTwice)
            let status = try await browser.waitForText("#status", in: ["succeeded", "failed"])
            let errorCode = try await browser.text("#error-code")
            #expect(status == "succeeded", "error: \(errorCode)")
            try await browser.executeScript(completeTwice)
            #expect(try await browser.text("#login-posts") == "1")

            // A reload: the page resumes the login it was waiting for; it posts nothing.
            try await browser.refresh()
            try await browser.waitForText("#status", in: ["succeeded", "failed"])
            #expect(try await browser.text("#status") == "succeeded")
            #expect(try await browser.text("#login-posts") == "0")
            try await browser.saveScreenshot(named: "dev-double-fired-after-reload")
        }
        let stats = try await Self.emulatorStats(server)
        #expect(try await Self.jobCount(server) == jobsBefore + 1, "one job row for one login")
        #expect(stats["codes_presented_more_than_once"] == 0)
        #expect(stats["token_requests_total"] == statsBefore["token_requests_total"].map { $0 + 1 })
    }

    @Test("refresh, GET /me and logout buttons")
    func refreshAndLogout() async throws {
        let server = try DevServerTrait.server()
        try await WebDriver.withSession(named: "dev-refresh-logout") { browser in
            try await logIn(browser, server, as: Self.muzi, screenshots: "dev-refresh-logout")
            let firstClaims = try await Self.claims(browser)

            try await browser.click("#refresh-button")
            try await browser.waitForText("#session-status", in: ["refreshed", "refresh-failed"])
            #expect(try await browser.text("#session-status") == "refreshed")
            #expect(try await browser.text("#refresh-count") == "1")
            let refreshed = try await Self.claims(browser)
            #expect(refreshed["sid"] as? String == firstClaims["sid"] as? String, "a refresh keeps the session")
            #expect(refreshed["jti"] as? String != firstClaims["jti"] as? String)

            try await browser.click("#me-button")
            try await browser.waitForText("#me-status", in: ["200", "401", "error"])
            #expect(try await browser.text("#me-status") == "200")
            #expect(try await browser.text("#me-nickname") == "무지")
            try await browser.saveScreenshot(named: "dev-refresh-logout-3-refreshed")

            try await browser.click("#logout-button")
            try await browser.waitForText("#session-status", in: ["logged-out", "logout-failed"])
            try await browser.waitForText("#me-status", in: ["200", "401", "error"])
            #expect(try await browser.text("#session-status") == "logged-out")
            #expect(try await browser.text("#me-status") == "401")
            #expect(try await browser.text("#me-error-code") == "session_revoked")
            try await browser.saveScreenshot(named: "dev-refresh-logout-4-logged-out")
        }
    }

    // MARK: - Steps

    /// From the demo's start page through the button to the emulator's consent page.
    private func openConsentPage(_ browser: WebDriver, _ server: DevServer) async throws {
        try await browser.navigate(to: URL(string: server.apiURL + "/")!)
        try await browser.waitForText("#status", in: ["idle"])
        try await browser.click("#login-button")
        _ = try await browser.waitForElement("form[action='/oauth/authorize/consent']")
        #expect(try await browser.currentURL().absoluteString.hasPrefix(server.emulatorURL + "/oauth/authorize?"))
    }

    /// A whole login as `userID`, with a screenshot of the consent page and of the result.
    private func logIn(_ browser: WebDriver, _ server: DevServer, as userID: Int64, screenshots name: String) async throws {
        try await openConsentPage(browser, server)
        try await browser.click("input[name=user_id][value='\(userID)']")
        try await browser.saveScreenshot(named: "\(name)-1-consent-page")
        try await browser.click("button[name=action][value=agree]")
        let status = try await browser.waitForText("#status", in: ["succeeded", "failed"])
        try await browser.saveScreenshot(named: "\(name)-2-logged-in")
        let errorCode = try await browser.text("#error-code")
        #expect(status == "succeeded", "error: \(errorCode)")
    }

    /// The access token's header and payload as the page shows them, merged.
    private static func claims(_ browser: WebDriver) async throws -> [String: Any] {
        let text = try await browser.text("#claims")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [String: Any]])
        return (decoded["header"] ?? [:]).merging(decoded["payload"] ?? [:]) { $1 }
    }

    /// Rows in `login_jobs` of the dev database.
    private static func jobCount(_ server: DevServer) async throws -> Int {
        let configuration = PostgresConfiguration(connectionString: server.connectionString)
        return try await PostgresConnection.withConnection(configuration: configuration, logger: TestEnvironment.logger) {
            try await $0.query("SELECT count(*)::int8 AS n FROM login_jobs").single().decode(Int.self, "n")
        }
    }

    /// The emulator's counters.
    private static func emulatorStats(_ server: DevServer) async throws -> [String: Int] {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: server.emulatorURL + "/_emulator/stats"),
            timeout: .seconds(30)
        )
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
        return object.compactMapValues { $0 as? Int }
    }
}
