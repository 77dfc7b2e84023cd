import Foundation
import LoginAPI
import NIOHTTP1
import Testing

/// `GET /sdk/kakao-login.js` and `GET /sdk/kakao-login.d.ts`: the browser client and its types,
/// as shipped in `Resources/sdk`, with the right content type, revalidation and CORS.
@Suite("Browser client routes")
struct BrowserClientRouteTests {
    static let sdkFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/LoginAPI/Resources/sdk")

    @Test(
        "each file is served as shipped, with its content type, no-cache and an ETag that answers 304",
        arguments: [
            ("/sdk/kakao-login.js", "kakao-login.js", "text/javascript; charset=utf-8"),
            ("/sdk/kakao-login.d.ts", "kakao-login.d.ts", "application/typescript; charset=utf-8"),
        ]
    )
    func served(path: String, file: String, contentType: String) async throws {
        try await Harness.run(Harness.Options(worker: false)) { harness in
            let answer = try await harness.send(.GET, path)
            #expect(answer.status == 200)
            #expect(answer.headers["Content-Type"].first == contentType)
            #expect(answer.headers["Cache-Control"].first == "no-cache")
            #expect(answer.headers["X-Content-Type-Options"].first == "nosniff")
            let shipped = try String(contentsOf: Self.sdkFolder.appendingPathComponent(file), encoding: .utf8)
            #expect(answer.body == shipped)
            let tag = try #require(answer.headers["ETag"].first)
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("\""))

            let revalidated = try await harness.send(.GET, path, headers: [("If-None-Match", "\"stale\", \(tag)")])
            #expect(revalidated.status == 304)
            #expect(revalidated.body.isEmpty)
            #expect(revalidated.headers["ETag"].first == tag)
            let stale = try await harness.send(.GET, path, headers: [("If-None-Match", "\"stale\"")])
            #expect(stale.status == 200)
        }
    }

    @Test("an allowed origin may import the module (CORS), another gets no CORS headers")
    func crossOriginImport() async throws {
        var options = Harness.Options(worker: false)
        options.api.corsAllowedOrigins = ["https://app.example"]
        try await Harness.run(options) { harness in
            let allowed = try await harness.send(.GET, "/sdk/kakao-login.js", headers: [("Origin", "https://app.example")])
            #expect(allowed.status == 200)
            #expect(allowed.headers["Access-Control-Allow-Origin"].first == "https://app.example")
            let other = try await harness.send(.GET, "/sdk/kakao-login.js", headers: [("Origin", "https://evil.example")])
            #expect(other.status == 200)
            #expect(other.headers["Access-Control-Allow-Origin"].isEmpty)
        }
    }
}
