import Foundation
import Postgres
import TestSupport
import Testing

/// Bad input on the SPA: each failure reaches the page as the client's `LoginError` with its
/// stable code, and nothing is posted that should not be.
extension SPAOnAnotherOriginTests {
    static let jayg: Int64 = 1_732_050_807  // a restricted Kakao account

    @Test("the user declines: access_denied, nothing posted")
    func declined() async throws {
        let server = try SPAServerTrait.server()
        try await WebDriver.withSession(named: "spa-declined") { browser in
            try await SPASteps.open(browser, server.sameSiteOrigin)
            try await SPASteps.kakao(browser, as: nil)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-declined") == "failed access_denied")
            #expect(try await browser.text("#posts") == "0")
            #expect(try await browser.currentURL().query == nil)
        }
    }

    @Test("failed logins surface their failure code: a restricted account, Kakao down past the deadline")
    func failureCodes() async throws {
        let server = try SPAServerTrait.server()
        try await WebDriver.withSession(named: "spa-failure-codes") { browser in
            try await SPASteps.open(browser, server.sameSiteOrigin)
            try await SPASteps.kakao(browser, as: Self.jayg)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-failure-restricted") == "failed kakao_account_restricted")

            try await SPASteps.withFaults(server.api.emulatorURL, #"{"error_rate": 1}"#) {
                try await SPASteps.open(browser, server.sameSiteOrigin)
                try await SPASteps.kakao(browser, as: Self.ryan)
                let outcome = try await SPASteps.outcome(
                    browser,
                    screenshot: "spa-failure-unavailable",
                    timeout: .seconds(SPAServer.jobDeadlineSeconds + 30)
                )
                #expect(outcome == "failed kakao_unavailable")
            }
        }
    }

    @Test("an attempt that expired before the callback: attempt_expired")
    func attemptExpired() async throws {
        let server = try SPAServerTrait.server()
        try await WebDriver.withSession(named: "spa-attempt-expired") { browser in
            try await SPASteps.open(browser, server.sameSiteOrigin)
            try await browser.click("#kakao")
            _ = try await browser.waitForElement("form[action='/oauth/authorize/consent']")
            // Ten minutes on the consent page.
            try await SPASteps.sql(
                server,
                """
                UPDATE login_attempts SET created_at = now() - interval '11 minutes', expires_at = now() - interval '1 minute'
                WHERE used_at IS NULL
                """
            )
            try await browser.click("input[name=user_id][value='\(Self.muzi)']")
            try await browser.click("button[name=action][value=agree]")
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-attempt-expired") == "failed attempt_expired")
        }
    }

    @Test("a poll of a login this tab cannot read (expired, or another's): not_found")
    func pollNotFound() async throws {
        let server = try SPAServerTrait.server()
        try await WebDriver.withSession(named: "spa-poll-404") { browser in
            try await SPASteps.open(browser, server.crossSiteOrigin, binding: "header")
            // As if this tab had posted a code whose login is gone, or belongs to another attempt.
            let record =
                #"{"fp":"0","provider":"kakao","binding":"header","token":"not-this-attempt","loginId":"\#(UUID())","phase":"pending"}"#
            try await browser.executeScript("sessionStorage.setItem('kakao-login:callback', arguments[0]);", .string(record))
            try await browser.navigate(to: URL(string: server.crossSiteOrigin + "/callback.html")!)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-poll-404") == "failed not_found")
            #expect(try await browser.executeScript("return sessionStorage.getItem('kakao-login:callback');") == nil)
        }
    }

    @Test("a callback opened in a second tab posts nothing; the tab that started the login completes it")
    func callbackInTwoTabs() async throws {
        let server = try SPAServerTrait.server()
        try await WebDriver.withSession(named: "spa-two-tabs") { browser in
            try await SPASteps.open(browser, server.sameSiteOrigin)
            try await browser.executeScript("sessionStorage.setItem('spa:manual', '1');")
            try await SPASteps.kakao(browser, as: Self.frodo)
            try await browser.waitForText("#status", in: ["waiting"])
            let callback = try await browser.currentURL()
            #expect(callback.query?.contains("code=") == true)
            let first = try await browser.windowHandle()

            try await browser.openTab()
            try await browser.navigate(to: callback)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-two-tabs-1-second-tab") == "failed no_attempt")
            #expect(try await browser.text("#posts") == "0")

            try await browser.switchToTab(first)
            try await browser.click("#complete")
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-two-tabs-2-first-tab") == "succeeded")
            #expect(try await browser.text("#posts") == "1")
        }
    }

    @Test("the network drops while the client polls: the login is not lost (re-delivered within 60 s)")
    func networkDropWhilePolling() async throws {
        let server = try SPAServerTrait.server()
        try await WebDriver.withSession(named: "spa-network-drop") { browser in
            try await SPASteps.withFaults(server.api.emulatorURL, #"{"latency_ms": 2000}"#) {
                try await SPASteps.open(browser, server.crossSiteOrigin, binding: "header")
                // Chromium's offline mode fails new requests only: one-second polls meet it soon.
                try await browser.executeScript("sessionStorage.setItem('spa:wait', '1');")
                try await SPASteps.kakao(browser, as: Self.ryan)
                try await browser.waitForText("#posts", in: ["1"])
                try await browser.setOffline(true)
            }
            try await browser.waitUntil("the login to succeed", timeout: .seconds(60)) {
                let state = try await SPASteps.sql(
                    server,
                    "SELECT state AS v FROM login_jobs WHERE kind = 'login' ORDER BY created_at DESC LIMIT 1"
                )
                return state == "succeeded" ? true : nil
            }
            // The answer the browser lost: read (and minted) meanwhile, with the tab's own attempt.
            let record = try await browser.executeScript("return JSON.parse(sessionStorage.getItem('kakao-login:callback'));")
            let loginID = try #require(record["loginId"]?.stringValue)
            let token = try #require(record["token"]?.stringValue)
            let read = try await SPASteps.get(
                "\(server.api.apiURL)/auth/kakao/login/\(loginID)",
                headers: [("X-Login-Attempt", token)]
            )
            let refreshToken = try #require(read.json["refresh_token"] as? String, "status \(read.status)")
            try await browser.waitUntil("a poll to fail") { try await browser.text("#network-errors") != "0" ? true : nil }

            try await browser.setOffline(false)
            #expect(try await SPASteps.outcome(browser, screenshot: "spa-network-drop", timeout: .seconds(60)) == "succeeded")
            #expect(try await browser.executeScript("return window.spa.client.session.refreshToken;") == .string(refreshToken))
            #expect(try await browser.text("#posts") == "1")
        }
    }
}
