import Foundation
import TestSupport
import Testing

/// The test SPA (`Tests/BrowserTests/SPA` and the browser client copied beside it) on its own
/// port, and a `kakao-login dev` API on another, set up as README's "SPA on another origin"
/// says: `CORS_ALLOWED_ORIGINS` names the SPA's origins, each provider's redirect URIs are the
/// SPA's `callback.html`, and the attempt cookie keeps its default `SameSite=Lax`.
///
/// The SPA answers on two origins of the same port: `http://127.0.0.1:<port>` is on the API's
/// site (`127.0.0.1`, another port: another origin, the same site, as `app.example.com` and
/// `api.example.com`), `http://localhost:<port>` is another site.
struct SPAServer: Sendable {
    let api: DevServer
    let files: StaticFileServer

    /// Another origin on the API's site: cookie mode works there.
    var sameSiteOrigin: String { "http://127.0.0.1:\(files.baseURL.port ?? 0)" }
    /// Another site: the attempt cookie is a third-party cookie there; header mode works.
    var crossSiteOrigin: String { "http://localhost:\(files.baseURL.port ?? 0)" }

    /// Logins must end within this many seconds (short, so a provider outage fails soon).
    static let jobDeadlineSeconds = 12

    /// Serves the SPA, starts the API for it, and stops both however `body` ends.
    static func withServers<Result>(_ body: (SPAServer) async throws -> Result) async throws -> Result {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kakao-login-spa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixture = RepositoryPaths.root.appendingPathComponent("Tests/BrowserTests/SPA")
        for name in ["index.html", "callback.html", "app.js"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let module = RepositoryPaths.loginAPIResources.appendingPathComponent("sdk/kakao-login.js")
        try FileManager.default.copyItem(at: module, to: folder.appendingPathComponent("kakao-login.js"))

        return try await StaticFileServer.withServer(serving: folder) { files in
            let port = files.baseURL.port ?? 0
            let origins = ["http://127.0.0.1:\(port)", "http://localhost:\(port)"]
            let callbacks = origins.map { $0 + "/callback.html" }.joined(separator: ",")
            let environment: [String: String?] = [
                "CORS_ALLOWED_ORIGINS": origins.joined(separator: ","),
                "KAKAO_REDIRECT_URIS": callbacks,
                "GOOGLE_REDIRECT_URIS": callbacks,
                "LOGIN_JOB_DEADLINE_SECONDS": String(jobDeadlineSeconds),
            ]
            return try await DevServer.withServer(environment: environment) { api in
                let config = "export const apiBaseURL = \"\(api.apiURL)\";\n"
                try config.write(to: folder.appendingPathComponent("config.js"), atomically: true, encoding: .utf8)
                return try await body(SPAServer(api: api, files: files))
            }
        }
    }
}

/// Runs a suite against one ``SPAServer``, started before its first test and stopped after its last.
struct SPAServerTrait: SuiteTrait, TestScoping {
    @TaskLocal static var current: SPAServer?

    let isRecursive = false

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await SPAServer.withServers { server in
            try await Self.$current.withValue(server) { try await function() }
        }
    }

    /// The running servers, inside a suite with this trait.
    static func server() throws -> SPAServer {
        guard let current else { throw TestSupportError("the suite needs the .spaServer trait") }
        return current
    }
}

extension Trait where Self == SPAServerTrait {
    /// Runs the suite against the test SPA and its API on another origin.
    static var spaServer: Self { SPAServerTrait() }
}
