import Foundation

/// Where Chromium and chromedriver are, and the flags that run Chromium headless here.
///
/// Found on `PATH` (Debian's packages `chromium` and `chromium-driver` install
/// `/usr/bin/chromium` and `/usr/bin/chromedriver`) or named by `CHROMIUM_BINARY` and
/// `CHROMEDRIVER`. When either is missing, ``locate(environment:)`` throws an error that says how
/// to install them: browser tests fail, they never skip.
struct BrowserTools: Sendable {
    /// What to run when a tool is missing.
    static let installHint =
        "install them with `apt-get install -y chromium chromium-driver` (Debian; .ci/run does this), "
        + "or point CHROMIUM_BINARY and CHROMEDRIVER at a Chromium and a chromedriver of the same version"

    /// The Chromium executable (Debian's `/usr/bin/chromium` wrapper is fine).
    let chromium: URL
    /// The chromedriver executable.
    let chromedriver: URL

    /// Finds both tools or throws ``WebDriverError/toolMissing(_:)`` naming what is missing.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BrowserTools {
        let chromium =
            environment["CHROMIUM_BINARY"].map { URL(fileURLWithPath: $0) }
            ?? ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap { which($0, environment: environment) }.first
        let chromedriver =
            environment["CHROMEDRIVER"].map { URL(fileURLWithPath: $0) }
            ?? which("chromedriver", environment: environment)
        var missing: [String] = []
        if chromium.map({ !isExecutable($0) }) ?? true { missing.append("chromium") }
        if chromedriver.map({ !isExecutable($0) }) ?? true { missing.append("chromedriver") }
        guard let chromium, let chromedriver, missing.isEmpty else {
            throw WebDriverError.toolMissing(
                "The browser tests need Chromium and chromedriver, and \(missing.joined(separator: " and ")) "
                    + "\(missing.count == 1 ? "is" : "are") not installed: \(installHint)."
            )
        }
        return BrowserTools(chromium: chromium, chromedriver: chromedriver)
    }

    /// The first executable called `name` on `PATH`.
    static func which(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    private static func isExecutable(_ url: URL) -> Bool {
        FileManager.default.isExecutableFile(atPath: url.path)
    }

    /// Chromium's command line for a test: headless, no sandbox (tests run as root in CI, where
    /// Chromium refuses to start with its sandbox; the browser only visits loopback pages), no
    /// /dev/shm (small in containers), a throw-away profile, and nothing that calls home.
    static func chromiumArguments(profileDirectory: URL, windowWidth: Int = 1280, windowHeight: Int = 1000) -> [String] {
        [
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--user-data-dir=\(profileDirectory.path)",
            "--window-size=\(windowWidth),\(windowHeight)",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--password-store=basic",
            "--lang=ko-KR",
        ]
    }
}
