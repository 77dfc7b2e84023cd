import AsyncHTTPClient
import Foundation
import LocalPostgres
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// The `kakao-login emulator` process: flags reach the configuration, it answers on the port it
/// reports, and SIGTERM stops it cleanly.
@Suite("kakao-login emulator (the binary)")
struct EmulatorCommandTests {
    /// `KAKAO_LOGIN_BIN` (set by scripts/test), else the `kakao-login` next to the test bundle.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["KAKAO_LOGIN_BIN"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("kakao-login").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("kakao-login")
    }

    @Test func flagsAndGracefulShutdown() async throws {
        let output = NSTemporaryDirectory() + "kakao-login-emulator-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process = try ChildProcess(
            [
                Self.binary.path, "emulator", "--port", "0", "--redirect-uri", "http://127.0.0.1:3000/cb", "--client-secret",
                "cli-secret", "--no-rate-limit", "--code-lifetime", "30", "--latency-ms", "1",
            ],
            outputPath: output
        )

        // The process logs `emulator.port=N` once it listens (a limit against a hang, not a timing assertion).
        var seen = ""
        var port: Int?
        let deadline = ContinuousClock.now + .seconds(60)
        while port == nil, !process.hasExited, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            seen = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let range = seen.range(of: #"emulator\.port=(\d+)"#, options: .regularExpression) {
                port = Int(seen[range].split(separator: "=")[1])
            }
        }
        let bound = try #require(port, "no port in the output: \(seen)")

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
            var statsRequest = HTTPClientRequest(url: "http://127.0.0.1:\(bound)/_emulator/stats")
            statsRequest.method = .GET
            let stats = String(buffer: try await client.execute(statsRequest, timeout: .seconds(10)).body.collect(upTo: 1 << 16))
            #expect(stats.contains(#""faults_latency_total":2"#), "--latency-ms applies to both token requests")
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }

        process.signal(SIGTERM)
        #expect(try await process.waitForExit(killingAfter: .seconds(60)) == (0, false))
    }
}
