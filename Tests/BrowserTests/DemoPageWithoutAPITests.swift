import Foundation
import Testing

/// The demo pages' behaviour that needs no API, in a real browser: the pages are served by a
/// plain file server that answers every POST with 501, so each API call fails the same way.
/// The end-to-end logins (emulator, API, worker) live with the API's tests.
@Suite("Demo pages without the API", .serialized)
struct DemoPageWithoutAPITests {
    @Test("a declined consent shows access_denied, a try-again link and a clean address bar")
    func declinedConsent() async throws {
        try await withDemoPages(named: "demo-declined") { server, browser in
            try await browser.navigate(
                to: server.url("/demo/callback.html?error=access_denied&error_description=User%20denied%20access&state=s1")
            )
            try await browser.waitForText("#status", in: ["failed"])
            #expect(try await browser.text("#error-code") == "access_denied")
            #expect(try await browser.text("#error-message").contains("You declined"))
            let tryAgain = try await browser.findElement("#try-again")
            #expect(try await browser.attribute("href", of: tryAgain) == "/")
            #expect(try await browser.currentURL().query == nil)
            #expect(try await browser.text("#login-posts") == "0")
            try await browser.saveScreenshot(named: "demo-callback-declined")
        }
    }

    @Test("the callback removes the code from the address bar and posts it once, however often it runs")
    func codeIsPostedOnce() async throws {
        try await withDemoPages(named: "demo-post-once") { server, browser in
            // As if this tab's start page had started the login with state s1.
            try await browser.navigate(to: server.url("/demo/index.html"))
            try await browser.executeScript(
                #"sessionStorage.setItem("kakao-login:attempt", JSON.stringify({provider: "kakao", state: "s1", binding: "cookie"}));"#
            )
            let callback = "/demo/callback.html?code=test-code_123&state=s1"
            try await browser.navigate(to: server.url(callback))
            // The file server answers the POST with 501: the page says so and stops.
            try await browser.waitForText("#status", in: ["failed"])
            #expect(try await browser.text("#error-code") == "http_501")
            #expect(try await browser.currentURL().query == nil)
            #expect(try await browser.text("#login-posts") == "1")

            // StrictMode-style second runs: the same code again, through the page's client and
            // through a second copy of the module (another URL: another module instance).
            let again = try await browser.executeAsyncScript(
                """
                const [callback, done] = arguments;
                history.replaceState(null, "", callback);
                const settle = (promise) => promise.then(() => "succeeded", (error) => error.code);
                import("/sdk/kakao-login.js?again").then((copy) =>
                  Promise.all([settle(copy.completeLogin()), settle(copy.completeLogin())])).then(done);
                """,
                .string(callback)
            )
            #expect(again == ["http_501", "http_501"], "the second runs join the first one's outcome")
            #expect(try await browser.text("#login-posts") == "1")
            #expect(try await browser.currentURL().query == nil)
            let log = try await browser.findElements("#request-log li")
            #expect(log.count == 1)
        }
    }

    @Test("a callback this tab started no login for is refused: nothing is posted")
    func callbackWithoutAttempt() async throws {
        try await withDemoPages(named: "demo-no-attempt") { server, browser in
            try await browser.navigate(to: server.url("/demo/callback.html?code=someone-elses-code&state=s1"))
            try await browser.waitForText("#status", in: ["failed"])
            #expect(try await browser.text("#error-code") == "no_attempt")
            #expect(try await browser.text("#login-posts") == "0")
            #expect(try await browser.currentURL().query == nil)
        }
    }

    @Test("the login button reports an API that is not there")
    func startWithoutAPI() async throws {
        try await withDemoPages(named: "demo-start-no-api") { server, browser in
            try await browser.navigate(to: server.url("/demo/index.html"))
            try await browser.waitForText("#status", in: ["idle"])
            try await browser.click("#login-button")
            try await browser.waitForText("#status", in: ["failed"])
            #expect(try await browser.text("#error-code") == "http_501")
            #expect(try await browser.text("#request-log").contains("POST /auth/kakao/start → 501"))
            let button = try await browser.findElement("#login-button")
            #expect(try await browser.attribute("disabled", of: button) == nil)
        }
    }

    /// Serves `Sources/LoginAPI/Resources` and opens a browser session for `body`.
    private func withDemoPages(
        named name: String,
        _ body: (StaticFileServer, WebDriver) async throws -> Void
    ) async throws {
        let tools = try BrowserTools.locate()
        try await StaticFileServer.withServer(serving: RepositoryPaths.loginAPIResources) { server in
            try await WebDriver.withSession(named: name, tools: tools) { browser in
                try await body(server, browser)
            }
        }
    }
}
