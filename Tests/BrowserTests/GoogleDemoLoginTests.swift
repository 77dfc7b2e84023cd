import Foundation
import TestSupport
import Testing

/// Sign in with Google on the demo page, in a real headless Chromium, against a running
/// `kakao-login dev` (which runs the Google emulator beside Kakao's): the Google button, the
/// emulator's account chooser, back to `/auth/google/callback`, logged in; and a Kakao user who
/// links Google and then signs in with it as the same user. Each test uses accounts of its own.
@Suite("Sign in with Google on the demo page in a real browser", .serialized, .devServer)
struct GoogleDemoLoginTests {
    /// The Google emulator's named test users.
    static let alice = "108234567890123456789"
    static let carol = "110112233445566778899"
    /// A Kakao emulator test user no other browser test logs in as.
    static let kakaoUser: Int64 = 1_414_213_562

    @Test("a new Google user, then the same user again")
    func newUserThenAgain() async throws {
        let server = try DevServerTrait.server()
        try await WebDriver.withSession(named: "dev-google-new-user") { browser in
            try await logInWithGoogle(browser, server, as: Self.alice, screenshots: "dev-google-new-user")
            #expect(try await browser.text("#is-new-user") == "true")
            #expect(try await browser.text("#user-nickname") == "Alice Kim")
            #expect(try await browser.currentURL().path == "/auth/google/callback")
            #expect(try await browser.currentURL().query == nil, "the code must leave the address bar")
            #expect(try await browser.text("#login-posts") == "1")
            let userID = try await browser.text("#user-id")

            // Google skips its chooser for the account its session signed in, which consented
            // before (no prompt): the button goes straight back to the callback page.
            try await signInAgainWithGoogle(browser, server, screenshot: "dev-google-same-user-again")
            #expect(try await browser.text("#is-new-user") == "false")
            #expect(try await browser.text("#user-id") == userID)
        }
    }

    @Test("a user who cancels Google's account chooser sees a clear message")
    func cancelled() async throws {
        let server = try DevServerTrait.server()
        try await WebDriver.withSession(named: "dev-google-cancelled") { browser in
            try await openGoogleChooser(browser, server)
            try await browser.click("button[name=action][value=deny]")
            try await browser.waitForText("#status", in: ["failed", "succeeded"])
            try await browser.saveScreenshot(named: "dev-google-cancelled")
            #expect(try await browser.text("#error-code") == "access_denied")
            #expect(try await browser.text("#error-message").contains("You declined the consent screen."))
            #expect(try await browser.currentURL().path == "/auth/google/callback")
            #expect(try await browser.text("#login-posts") == "0")
        }
    }

    @Test("a Kakao user links Google, then signs in with Google as the same user")
    func linkThenSignInWithGoogle() async throws {
        let server = try DevServerTrait.server()
        try await WebDriver.withSession(named: "dev-google-link") { browser in
            try await browser.navigate(to: URL(string: server.apiURL + "/")!)
            try await browser.waitForText("#status", in: ["idle"])
            try await browser.click("#login-button")
            _ = try await browser.waitForElement("form[action='/oauth/authorize/consent']")
            try await browser.click("input[name=user_id][value='\(Self.kakaoUser)']")
            try await browser.click("button[name=action][value=agree]")
            #expect(try await browser.waitForText("#status", in: ["succeeded", "failed"]) == "succeeded")
            let kakaoUserID = try await browser.text("#user-id")
            try await browser.waitForText("#linked-providers", in: ["kakao"])

            _ = try await browser.waitForElement("#link-google-button:not([hidden])")
            try await browser.click("#link-google-button")
            try await chooseGoogleAccount(browser, server, Self.carol)
            let status = try await browser.waitForText("#status", in: ["linked", "failed"])
            try await browser.saveScreenshot(named: "dev-google-link-1-linked")
            let linkError = try await browser.text("#error-code")
            #expect(status == "linked", "error: \(linkError)")
            try await browser.waitForText("#linked-providers", in: ["kakao,google", "google,kakao"])

            try await signInAgainWithGoogle(browser, server, screenshot: "dev-google-link-2-google-login")
            #expect(try await browser.text("#is-new-user") == "false")
            #expect(try await browser.text("#user-id") == kakaoUserID, "the linked Google account signs in as the Kakao user")
        }
    }

    // MARK: - Steps

    /// From the demo's start page through the Google button to the emulator's account chooser.
    private func openGoogleChooser(_ browser: WebDriver, _ server: DevServer) async throws {
        try await browser.navigate(to: URL(string: server.apiURL + "/")!)
        try await browser.waitForText("#status", in: ["idle"])
        _ = try await browser.waitForElement("#google-login:not([hidden])")
        try await browser.click("#google-login-button")
        _ = try await browser.waitForElement("form[action='/o/oauth2/v2/auth/approve']")
        #expect(try await browser.currentURL().absoluteString.hasPrefix(server.googleEmulatorURL + "/"))
    }

    /// On the account chooser: picks `sub` and continues.
    private func chooseGoogleAccount(_ browser: WebDriver, _ server: DevServer, _ sub: String) async throws {
        _ = try await browser.waitForElement("form[action='/o/oauth2/v2/auth/approve']")
        try await browser.click("input[name=account][value='\(sub)']")
        try await browser.click("button[name=action][value=allow]")
    }

    /// A Google login of the account the emulator's session holds, which already consented:
    /// no chooser, straight back to the callback page, signed in.
    private func signInAgainWithGoogle(_ browser: WebDriver, _ server: DevServer, screenshot name: String) async throws {
        try await browser.navigate(to: URL(string: server.apiURL + "/")!)
        try await browser.waitForText("#status", in: ["idle"])
        _ = try await browser.waitForElement("#google-login:not([hidden])")
        try await browser.click("#google-login-button")
        let status = try await browser.waitForText("#status", in: ["succeeded", "failed"])
        try await browser.saveScreenshot(named: name)
        let errorCode = try await browser.text("#error-code")
        #expect(status == "succeeded", "error: \(errorCode)")
        #expect(try await browser.currentURL().path == "/auth/google/callback")
    }

    /// A whole Google login as `sub`, with a screenshot of the chooser and of the result.
    private func logInWithGoogle(_ browser: WebDriver, _ server: DevServer, as sub: String, screenshots name: String) async throws {
        try await openGoogleChooser(browser, server)
        try await browser.saveScreenshot(named: "\(name)-1-account-chooser")
        try await chooseGoogleAccount(browser, server, sub)
        let status = try await browser.waitForText("#status", in: ["succeeded", "failed"])
        try await browser.saveScreenshot(named: "\(name)-2-logged-in")
        let errorCode = try await browser.text("#error-code")
        #expect(status == "succeeded", "error: \(errorCode)")
    }
}
