import Foundation
import TestSupport
import Testing

/// README's "SPA on another origin", in a real headless Chromium: the test SPA (plain HTML and the
/// browser client `/sdk/kakao-login.js`, copied) on one port, the API (`kakao-login dev`, with
/// both emulators) on another. Cookie mode on the API's site, header mode on another site with
/// third-party cookies blocked; Kakao and Google logins, refresh, `/me`, logout, preflights.
/// The failures are in `SPAOnAnotherOriginTests+Failures.swift`. Each test logs in users of its
/// own, so their order does not matter.
@Suite("SPA on another origin in a real browser", .serialized, .spaServer)
struct SPAOnAnotherOriginTests {
    static let ryan: Int64 = 3_141_592_653
    static let apeach: Int64 = 1_376_016_924_426_814_086  // an id above 2^53
    static let muzi: Int64 = 2_718_281_828
    static let frodo: Int64 = 1_618_033_988
    static let neo: Int64 = 1_414_213_562
    static let alice = "108234567890123456789"
    static let bob = "109876543210987654321"

    @Test("cookie mode on the API's site: the SameSite=Lax attempt cookie binds Kakao and Google logins")
    func cookieModeOnTheSameSite() async throws {
        let server = try SPAServerTrait.server()
        try await WebDriver.withSession(named: "spa-cookie-mode", thirdPartyCookies: true) { browser in
            try await SPASteps.open(browser, server.sameSiteOrigin)
            try await SPASteps.kakao(browser, as: Self.apeach)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-cookie-mode-1-kakao") == "succeeded")
            #expect(try await browser.text("#is-new-user") == "true", "no other test logs in as 어피치")
            #expect(try await browser.text("#posts") == "1", "the page completes twice (StrictMode) and posts once")
            #expect(try await browser.currentURL().path == "/callback.html")
            #expect(try await browser.currentURL().query == nil, "the code must leave the address bar")
            try await Self.sessionRoundTrip(browser, name: "어피치", provider: "kakao")

            try await SPASteps.open(browser, server.sameSiteOrigin)
            try await SPASteps.google(browser, as: Self.alice)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-cookie-mode-2-google") == "succeeded")
            #expect(try await SPASteps.press(browser, "#me", result: "#me-result") == "200 Alice Kim google")

            let cookie = try #require(try await SPASteps.attemptCookie(browser, server))
            #expect(cookie["sameSite"]?.stringValue == "Lax")
            #expect(cookie["httpOnly"]?.boolValue == true)
        }
    }

    @Test("header mode on another site with third-party cookies blocked: X-Login-Attempt binds the logins")
    func headerModeOnAnotherSite() async throws {
        let server = try SPAServerTrait.server()
        try await WebDriver.withSession(named: "spa-header-mode", thirdPartyCookies: false) { browser in
            // Cookie mode cannot work here: the API's cookie is a third-party one, never sent.
            try await SPASteps.open(browser, server.crossSiteOrigin)
            try await SPASteps.kakao(browser, as: Self.muzi)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-header-mode-1-cookie-refused") == "failed attempt_not_found")

            try await SPASteps.open(browser, server.crossSiteOrigin, binding: "header")
            try await SPASteps.kakao(browser, as: Self.muzi)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-header-mode-2-kakao") == "succeeded")
            #expect(try await browser.text("#posts") == "1")
            try await Self.sessionRoundTrip(browser, name: "무지", provider: "kakao")

            try await SPASteps.open(browser, server.crossSiteOrigin, binding: "header")
            try await SPASteps.google(browser, as: Self.bob)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-header-mode-3-google") == "succeeded")
            #expect(try await SPASteps.press(browser, "#me", result: "#me-result") == "200 Bob Lee google")

            #expect(try await SPASteps.attemptCookie(browser, server) == nil, "the browser kept no attempt cookie")
        }
    }

    @Test("preflights pass for the allowed origins and fail for another; the module imports from the API")
    func preflights() async throws {
        let server = try SPAServerTrait.server()
        // A preflighted POST (JSON and X-Login-Attempt) and a cross-origin module import.
        let probe = """
            const [api, done] = arguments;
            const post = fetch(api + "/auth/kakao/start", {method: "POST", credentials: "include",
                headers: {"Content-Type": "application/json", "X-Login-Attempt": "x"}, body: "{}"})
              .then((r) => String(r.status), () => "refused");
            const load = import(api + "/sdk/kakao-login.js").then((m) => typeof m.completeLogin, () => "refused");
            Promise.all([post, load]).then((r) => done(r.join(" ")));
            """
        try await WebDriver.withSession(named: "spa-preflights") { browser in
            for origin in [server.sameSiteOrigin, server.crossSiteOrigin] {
                try await browser.navigate(to: URL(string: origin + "/index.html")!)
                #expect(try await browser.executeAsyncScript(probe, .string(server.api.apiURL)) == "200 function", "from \(origin)")
            }
            // The Kakao emulator's origin is not in CORS_ALLOWED_ORIGINS.
            try await browser.navigate(to: URL(string: server.api.emulatorURL + "/.well-known/openid-configuration")!)
            #expect(try await browser.executeAsyncScript(probe, .string(server.api.apiURL)) == "refused refused")
        }
    }

    @Test("a session ended elsewhere: /me answers session_revoked and the client says it signed out")
    func signedOutElsewhere() async throws {
        let server = try SPAServerTrait.server()
        try await WebDriver.withSession(named: "spa-signed-out-elsewhere") { browser in
            try await SPASteps.open(browser, server.crossSiteOrigin, binding: "header")
            try await SPASteps.kakao(browser, as: Self.neo)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-elsewhere-1-logged-in") == "succeeded")
            // Another device of the user: "sign out everywhere".
            let status = try await browser.executeAsyncScript(
                """
                const [api, done] = arguments;
                fetch(api + "/auth/logout-all", {method: "POST",
                    headers: {Authorization: "Bearer " + window.spa.client.session.accessToken}})
                  .then((r) => done(r.status), (e) => done(String(e)));
                """,
                .string(server.api.apiURL)
            )
            #expect(status == 204)
            #expect(try await SPASteps.press(browser, "#me", result: "#me-result") == "401 session_revoked")
            #expect(try await browser.text("#signed-out") == "session_revoked elsewhere")
            #expect(try await browser.executeScript("return window.spa.client.signedIn;") == false)
        }
    }

    /// On a signed-in callback page: /me, two refreshes at once (one request), logout (the old
    /// access token refused at once).
    static func sessionRoundTrip(_ browser: WebDriver, name: String, provider: String) async throws {
        #expect(try await SPASteps.press(browser, "#me", result: "#me-result") == "200 \(name) \(provider)")
        #expect(try await SPASteps.press(browser, "#refresh", result: "#refresh-result") == "1 request rotated")
        #expect(try await SPASteps.press(browser, "#logout", result: "#logout-result") == "401 session_revoked")
        #expect(try await browser.text("#signed-out") == "logout")
    }
}
