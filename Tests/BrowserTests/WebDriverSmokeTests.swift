import Foundation
import Testing

/// Proves the browser kit works here: a real headless Chromium, driven over WebDriver, opens the
/// demo's start page from a throw-away file server. Fails (never skips) without Chromium.
@Suite("WebDriver smoke")
struct WebDriverSmokeTests {
    @Test("the demo start page shows the 카카오 로그인 button")
    func startPageShowsTheKakaoLoginButton() async throws {
        let tools = try BrowserTools.locate()
        try await StaticFileServer.withServer(serving: RepositoryPaths.loginAPIResources) { server in
            try await WebDriver.withSession(named: "webdriver-smoke", tools: tools) { browser in
                try await browser.navigate(to: server.url("/demo/index.html"))

                // The page's scripts ran once #status leaves its initial "loading".
                try await browser.waitForText("#status", in: ["idle"])
                #expect(try await browser.text("#login-button") == "카카오 로그인")
                #expect(try await browser.title().contains("카카오 · Google 로그인"))
                let button = try await browser.findElement("#login-button")
                #expect(try await browser.isDisplayed(button))
                let background = try await browser.executeScript(
                    "return getComputedStyle(arguments[0]).backgroundColor;",
                    button.jsonValue
                )
                #expect(background == "rgb(254, 229, 0)")  // Kakao yellow #FEE500

                let screenshot = try await browser.saveScreenshot(named: "webdriver-smoke-start-page")
                let png = try Data(contentsOf: screenshot)
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            }
        }
    }
}
