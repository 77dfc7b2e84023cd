import AsyncHTTPClient
import EmulatorTestSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// The `kakao-login emulator` process: flags reach the configuration, it answers on the port it
/// reports, and SIGTERM stops it cleanly.
@Suite("kakao-login emulator (the binary)")
struct EmulatorCommandTests {
    @Test func flagsAndGracefulShutdown() async throws {
        let emulator = try await EmulatorProcess.start([
            "emulator", "--port", "0", "--redirect-uri", "http://127.0.0.1:3000/cb", "--client-secret", "cli-secret",
            "--no-rate-limit", "--code-lifetime", "30", "--latency-ms", "1", "--token-redirect-uri", "required",
        ])
        defer { emulator.killIfRunning() }
        let bound = emulator.port

        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            func post(_ path: String, _ body: String, _ contentType: String) async throws -> (Int, String) {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(bound)\(path)")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: contentType)
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await client.execute(request, timeout: .seconds(10))
                return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 16)))
            }
            let (status, minted) = try await post(
                "/_emulator/codes",
                #"{"redirect_uri":"http://127.0.0.1:3000/cb","user_id":1}"#,
                "application/json"
            )
            #expect(status == 200)
            let code = try #require((try JSONSerialization.jsonObject(with: Data(minted.utf8)) as? [String: Any])?["code"] as? String)
            let form =
                "grant_type=authorization_code&client_id=emulator-rest-api-key&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcb&code=\(code)"
            let (withoutSecret, body) = try await post("/oauth/token", form, "application/x-www-form-urlencoded")
            #expect(withoutSecret == 401)
            #expect(body.contains("KOE010"))
            let (withSecret, _) = try await post("/oauth/token", form + "&client_secret=cli-secret", "application/x-www-form-urlencoded")
            #expect(withSecret == 200, "KOE010 is checked before the code, which stays good")
            let (_, second) = try await post(
                "/_emulator/codes",
                #"{"redirect_uri":"http://127.0.0.1:3000/cb","user_id":2}"#,
                "application/json"
            )
            let secondCode = try #require((try JSONSerialization.jsonObject(with: Data(second.utf8)) as? [String: Any])?["code"] as? String)
            let (omitted, omittedBody) = try await post(
                "/oauth/token",
                "grant_type=authorization_code&client_id=emulator-rest-api-key&client_secret=cli-secret&code=\(secondCode)",
                "application/x-www-form-urlencoded"
            )
            #expect(omitted == 400)
            #expect(omittedBody.contains("KOE303"), "--token-redirect-uri required")
            var statsRequest = HTTPClientRequest(url: "http://127.0.0.1:\(bound)/_emulator/stats")
            statsRequest.method = .GET
            let stats = String(buffer: try await client.execute(statsRequest, timeout: .seconds(10)).body.collect(upTo: 1 << 16))
            #expect(stats.contains(#""faults_latency_total":3"#), "--latency-ms applies to every token request")
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }

        #expect(try await emulator.stop() == 0)
    }

    @Test("--log-format json writes one JSON object per line; an unknown format or level is refused")
    func logFormat() async throws {
        let emulator = try await EmulatorProcess.start(["emulator", "--port", "0", "--log-format", "json"])
        defer { emulator.killIfRunning() }
        let lines = emulator.output.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["label"] as? String == "kakao-login.emulator")
        }
        #expect(try await emulator.stop() == 0)
        for refused in [["--log-format", "yaml"], ["--log-level", "loud"]] {
            let (status, output) = try await EmulatorProcess.runToEnd(["emulator", "--port", "0"] + refused)
            #expect(status != 0)
            #expect(output.contains(refused[1]))
        }
    }
}
