import AsyncHTTPClient
import EmulatorTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `kakao-login emulator --provider google`: flags reach the configuration, it answers on the
/// port it reports, Kakao-only flags are refused, and SIGTERM stops it cleanly.
@Suite("kakao-login emulator --provider google (the binary)")
struct EmulatorCommandTests {
    @Test func flagsAndGracefulShutdown() async throws {
        let emulator = try await EmulatorProcess.start([
            "emulator", "--provider", "google", "--port", "0", "--redirect-uri", "http://127.0.0.1:3000/cb", "--client-secret",
            "cli-secret",
            "--code-lifetime", "30", "--latency-ms", "1", "--id-token-issuer-form", "without_scheme",
        ])
        defer { emulator.killIfRunning() }
        let bound = emulator.port
        #expect(emulator.output.contains("emulator.provider=google"))
        let base = "http://127.0.0.1:\(bound)"
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            func call(
                _ method: HTTPMethod,
                _ path: String,
                _ body: String = "",
                _ headers: [(String, String)] = []
            ) async throws -> (Int, [String: Any]) {
                var request = HTTPClientRequest(url: base + path)
                request.method = method
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                if method == .POST { request.body = .bytes(ByteBuffer(string: body)) }
                let response = try await client.execute(request, timeout: .seconds(10))
                let text = String(buffer: try await response.body.collect(upTo: 1 << 16))
                return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:])
            }
            let (_, discovery) = try await call(.GET, "/.well-known/openid-configuration")
            #expect(discovery["issuer"] as? String == base)
            let (status, minted) = try await call(
                .POST,
                "/_emulator/codes",
                #"{"redirect_uri": "http://127.0.0.1:3000/cb", "user_id": "\#(Google.alice)"}"#,
                [("Content-Type", "application/json")]
            )
            #expect(status == 200)
            let code = try #require(minted["code"] as? String)
            let form = "grant_type=authorization_code&redirect_uri=\(Google.encode("http://127.0.0.1:3000/cb"))&code=\(Google.encode(code))"
            let formType = ("Content-Type", "application/x-www-form-urlencoded")
            let oldSecret = ("Authorization", "Basic " + Data("\(Google.clientID):\(Google.clientSecret)".utf8).base64EncodedString())
            let (refused, error) = try await call(.POST, "/token", form, [formType, oldSecret])
            #expect(refused == 401)
            #expect(error["error"] as? String == "invalid_client", "--client-secret replaces the secret")
            let newSecret = ("Authorization", "Basic " + Data("\(Google.clientID):cli-secret".utf8).base64EncodedString())
            let (exchanged, tokens) = try await call(.POST, "/token", form, [formType, newSecret])
            #expect(exchanged == 200)
            let idToken = try #require(tokens["id_token"] as? String)
            let (_, info) = try await call(.GET, "/tokeninfo?id_token=\(idToken)")
            #expect(info["iss"] as? String == "127.0.0.1:\(bound)", "--id-token-issuer-form without_scheme")
            let (_, stats) = try await call(.GET, "/_emulator/stats")
            #expect(stats["faults_latency_total"] as? Int == 3, "--latency-ms applies to the token and tokeninfo requests")
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        #expect(try await emulator.stop() == 0)
    }

    @Test func kakaoFlagsAreRefused() async throws {
        let (status, output) = try await EmulatorProcess.runToEnd([
            "emulator", "--provider", "google", "--port", "0", "--rest-api-key", "k", "--no-rate-limit",
        ])
        #expect(status != 0)
        #expect(output.contains("--rest-api-key, --no-rate-limit: Kakao flags"), "\(output)")
    }
}
