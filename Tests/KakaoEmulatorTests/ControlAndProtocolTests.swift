import AsyncHTTPClient
import EmulatorTestSupport
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import KakaoEmulator

@Suite("Emulator fixed points, controls and OIDC documents")
struct ControlAndProtocolTests {
    @Test func fixedPointsOfTheDefaultConfiguration() throws {
        let configuration = KakaoEmulatorConfiguration()
        #expect(configuration.apps.count == 2)
        let app = configuration.apps[0]
        #expect(app.appID == 100_001)
        #expect(app.restAPIKey == "emulator-rest-api-key")
        #expect(app.nativeAppKey == "emulator-native-app-key")
        let another = configuration.apps[1]
        #expect(another.appID == 100_002 && another.nativeAppKey == "emulator-other-native-app-key" && another.adminKey == nil)
        #expect(app.clientSecret == nil)
        #expect(app.oidc)
        #expect(app.redirectURIs == ["http://127.0.0.1:8080/auth/kakao/callback", "http://localhost:8080/auth/kakao/callback"])
        #expect(configuration.users.contains { $0.id > 1 << 53 })
        #expect(configuration.users.contains { $0.email == nil })
        #expect(configuration.rateLimit.enabled)
        #expect(configuration.faults.isNone)
    }

    @Test("SDK tokens: each app's own, with an id_token for its native key, read by token info and user/me")
    func sdkTokensOfTwoApps() async throws {
        try await EmulatorHTTP.run { http throws in
            let ours = try await http.postJSON("/_emulator/sdk-tokens", #"{"user_id": 4242, "nonce": "n-1"}"#)
            #expect(ours.status == 200)
            let theirs = try await http.postJSON(
                "/_emulator/sdk-tokens",
                #"{"client_id": "emulator-other-native-app-key", "user_id": 4242, "scope": "profile_nickname"}"#
            )
            #expect(theirs.status == 200)
            #expect(theirs.json["id_token"] == nil, "no openid asked: no id_token")
            let idToken = try #require(ours.json["id_token"] as? String)
            var encoded = idToken.split(separator: ".")[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            encoded += String(repeating: "=", count: (4 - encoded.count % 4) % 4)
            let payload = try #require(Data(base64Encoded: encoded))
            let claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
            #expect(claims["aud"] as? String == "emulator-native-app-key")
            #expect(claims["nonce"] as? String == "n-1")
            #expect(claims["sub"] as? String == "4242")
            for (answer, appID) in [(ours, 100_001), (theirs, 100_002)] {
                let token = try #require(answer.json["access_token"] as? String)
                let info = try await http.get("/v1/user/access_token_info", headers: [("Authorization", "Bearer \(token)")])
                #expect(info.json["app_id"] as? Int == appID)
                #expect(info.json["id"] as? Int == 4242)
                #expect(try await http.get("/v2/user/me", headers: [("Authorization", "Bearer \(token)")]).status == 200)
            }
            let unknown = try await http.postJSON("/_emulator/sdk-tokens", #"{"client_id": "no-such-key"}"#)
            #expect(unknown.status == 400)
        }
    }

    @Test func mintCodesOverHTTPWithSyntheticUsers() async throws {
        try await EmulatorHTTP.run { http throws in
            let big = try await http.postJSON(
                "/_emulator/codes",
                #"{"client_id":"emulator-rest-api-key","user_id":1376016924426814086,"scope":"openid"}"#
            )
            #expect(big.status == 200)
            #expect(big.body.contains(#""user_id":1376016924426814086"#))
            let code = try #require(big.json["code"] as? String)
            let token = try await http.exchange(code)
            #expect(token.json["id_token"] is String)

            let synthetic = try await http.postJSON("/_emulator/codes", #"{"user_id":"555"}"#)
            let syntheticCode = try #require(synthetic.json["code"] as? String)
            let accessToken = try #require(try await http.exchange(syntheticCode).json["access_token"] as? String)
            let me = try await http.get("/v2/user/me", headers: [("Authorization", "Bearer \(accessToken)")])
            #expect(me.body.contains(#""nickname":"user-555""#))

            let fresh = try await http.postJSON("/_emulator/codes", "")
            #expect(fresh.status == 200)
            #expect(fresh.json["user_id"] as? Int != nil)

            let stats = try await http.get("/_emulator/stats")
            #expect(stats.json["token_requests_total"] as? Int == 2)
            #expect(stats.json["codes_presented_more_than_once"] as? Int == 0)
            #expect(stats.json["user_me_total"] as? Int == 1)
            #expect(stats.json["codes_issued_total"] as? Int == 3)
        }
    }

    @Test func faultsEndpointSetsAndClears() async throws {
        try await EmulatorHTTP.run { http throws in
            let set = try await http.postJSON("/_emulator/faults", #"{"latency_ms": 5, "jitter_ms": 1, "quota_rate": 1}"#)
            #expect(set.json["quota_rate"] as? Double == 1)
            #expect(http.emulator.faults.latencyMs == 5)
            let answer = try await http.exchange("x")
            #expect(answer.json["error_code"] as? String == "KOE237")
            let elapsed = try #require(answer.headers.first(name: "X-Emulator-Elapsed-Ms").flatMap(Double.init))
            #expect(elapsed >= 5, "the header includes the injected latency")
            #expect(try await http.get("/.well-known/jwks.json").status == 200, "discovery is never faulted")
            #expect(try await http.postJSON("/_emulator/faults", "{}").json["quota_rate"] as? Double == 0)
            #expect(http.emulator.faults.isNone)
            #expect(try await http.get("/_emulator/faults").json["latency_ms"] as? Int == 0)
        }
    }

    @Test func elapsedHeaderOnEveryAnswer() async throws {
        try await EmulatorHTTP.run { http throws in
            for answer in [
                try await http.get("/.well-known/openid-configuration"), try await http.get("/nowhere"),
                try await http.get("/oauth/authorize"), try await http.postForm("/oauth/token", ""), try await http.get("/_emulator/stats"),
            ] {
                let value = try #require(answer.headers.first(name: "X-Emulator-Elapsed-Ms"))
                #expect(Double(value) != nil)
                #expect(value.contains("."))
            }
        }
    }

    @Test func elapsedTimeIsKeptPerUserAndPresentationsPerCode() async throws {
        try await EmulatorHTTP.run { http throws in
            let first = try http.emulator.mintCode(userID: 71, scope: "openid")
            let other = try http.emulator.mintCode(userID: 72)
            let exchanged = try await http.exchange(first)
            let accessToken = try #require(exchanged.json["access_token"] as? String)
            _ = try await http.get("/v2/user/me", headers: [("Authorization", "Bearer \(accessToken)")])
            #expect(try await http.exchange(other).status == 200)
            #expect(try await http.get("/_emulator/stats").json["code_presentations_max"] as? Int == 1)
            #expect(try await http.exchange(other).json["error_code"] as? String == "KOE320")
            #expect(try await http.get("/_emulator/stats").json["code_presentations_max"] as? Int == 2)

            let answer = try await http.get("/_emulator/elapsed?user_ids=71,72,73")
            let milliseconds = try #require(answer.json["elapsed_ms"] as? [String: Double])
            let calls = try #require(answer.json["calls"] as? [String: Int])
            #expect(calls == ["71": 2, "72": 2], "the exchange and user/me of 71; both presentations of 72's code")
            #expect(milliseconds["73"] == nil, "a user with no call is absent")
            #expect((milliseconds["71"] ?? 0) > 0)
            #expect(http.emulator.elapsedMilliseconds(userIDs: [71, 73]).keys.sorted() == [71])
            #expect(try await http.get("/_emulator/elapsed?user_ids=1,x").status == 400)
        }
    }

    @Test func discoveryAndJWKS() async throws {
        try await EmulatorHTTP.run { http throws in
            let discovery = try await http.get("/.well-known/openid-configuration").json
            #expect(discovery["issuer"] as? String == http.baseURL)
            #expect(discovery["jwks_uri"] as? String == http.baseURL + "/.well-known/jwks.json")
            #expect(discovery["token_endpoint"] as? String == http.baseURL + "/oauth/token")
            #expect(discovery["id_token_signing_alg_values_supported"] as? [String] == ["RS256"])
            #expect(discovery["code_challenge_methods_supported"] as? [String] == ["S256"])
            let keys = try #require(try await http.get("/.well-known/jwks.json").json["keys"] as? [[String: Any]])
            #expect(keys.count == 1)
            #expect(keys[0]["kty"] as? String == "RSA")
            #expect(keys[0]["alg"] as? String == "RS256")
            #expect(keys[0]["e"] as? String == "AQAB")
            try http.emulator.rotateSigningKey()
            #expect((try await http.get("/.well-known/jwks.json").json["keys"] as? [Any])?.count == 2)
        }
    }

    @Test func tokenInfoChecksTheIDToken() async throws {
        try await EmulatorHTTP.run { http throws in
            let code = try http.emulator.mintCode(userID: 9, scope: "openid", nonce: "abc")
            let idToken = try #require(try await http.exchange(code).json["id_token"] as? String)
            let info = try await http.postForm("/oauth/tokeninfo", "id_token=\(idToken)")
            #expect(info.status == 200)
            #expect(info.json["sub"] as? String == "9")
            #expect(info.json["nonce"] as? String == "abc")
            let tampered = idToken.dropLast(4) + "AAAA"
            #expect(try await http.postForm("/oauth/tokeninfo", "id_token=\(tampered)").json["error_code"] as? String == "KOE402")
            #expect(try await http.postForm("/oauth/tokeninfo", "id_token=abc").json["error_code"] as? String == "KOE400")
        }
    }

    @Test func clockEndpointMovesExpiry() async throws {
        try await EmulatorHTTP.run { http throws in
            let code = try http.emulator.mintCode(userID: 9)
            #expect(try await http.postJSON("/_emulator/clock", #"{"advance_seconds": 700}"#).status == 200)
            #expect(try await http.exchange(code).json["error_code"] as? String == "KOE320")
        }
    }

    @Test func loopbackPredicate() throws {
        #expect(LoopbackOnlyMiddleware.isLoopback(try SocketAddress(ipAddress: "127.0.0.1", port: 1)))
        #expect(LoopbackOnlyMiddleware.isLoopback(try SocketAddress(ipAddress: "127.9.8.7", port: 1)))
        #expect(LoopbackOnlyMiddleware.isLoopback(try SocketAddress(ipAddress: "::1", port: 1)))
        #expect(LoopbackOnlyMiddleware.isLoopback(try SocketAddress(ipAddress: "::ffff:127.0.0.1", port: 1)))
        #expect(!LoopbackOnlyMiddleware.isLoopback(try SocketAddress(ipAddress: "10.0.0.1", port: 1)))
        #expect(!LoopbackOnlyMiddleware.isLoopback(try SocketAddress(ipAddress: "128.0.0.1", port: 1)))
        #expect(!LoopbackOnlyMiddleware.isLoopback(try SocketAddress(ipAddress: "::2", port: 1)))
        #expect(!LoopbackOnlyMiddleware.isLoopback(nil))
    }

    @Test func configurationFile() throws {
        let json = """
            {"code_lifetime_seconds": 30, "rate_limit": {"enabled": false},
             "apps": [{"rest_api_key": "k1", "client_secret": "s", "redirect_uris": ["http://127.0.0.1:3000/cb"],
                       "consent_items": ["account_email", {"id": "profile_nickname", "required": true}], "oidc": false}],
             "users": [{"id": 1376016924426814086, "nickname": "n", "restriction": "dormant"}],
             "faults": {"latency_ms": 3}}
            """
        let configuration = try KakaoEmulatorConfiguration.decode(json: Data(json.utf8))
        #expect(configuration.codeLifetimeSeconds == 30)
        #expect(!configuration.rateLimit.enabled)
        #expect(configuration.apps[0].clientSecret == "s")
        #expect(configuration.apps[0].adminKey == "emulator-admin-key")
        #expect(configuration.apps[0].consentItems == [.init(id: "account_email"), .init(id: "profile_nickname", required: true)])
        #expect(configuration.users[0].id == 1_376_016_924_426_814_086)
        #expect(configuration.users[0].restriction == .dormant)
        #expect(configuration.faults.latencyMs == 3)
        #expect(try KakaoEmulatorConfiguration.decode(json: Data("{}".utf8)).apps[0].restAPIKey == "emulator-rest-api-key")
        for bad in [
            #"{"apps": []}"#, #"{"users": [{"nickname": "no id"}]}"#, #"{"faults": {"error_rate": 3}}"#, "[",
            #"{"code_lifetime_seconds": 0}"#,
        ] {
            #expect(throws: KakaoEmulatorError.self) { try KakaoEmulatorConfiguration.decode(json: Data(bad.utf8)) }
        }
    }
}

@Suite("Emulator lifecycle and the example configuration")
struct LifecycleTests {
    @Test func exampleConfigurationLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/emulator-config.example.json").path
        let configuration = try KakaoEmulatorConfiguration.load(contentsOf: path)
        #expect(configuration.apps.count == 2)
        #expect(configuration.users.count == 5)
    }

    @Test(.timeLimit(.minutes(1))) func heldRequestsDoNotBlockShutdown() async throws {
        let emulator = try KakaoEmulator(configuration: .init(faults: .init(timeoutRate: 1)), logger: Logger(label: "emulator-tests"))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let held = try await emulator.withRunningServer { baseURL in
            let task = Task {
                var request = HTTPClientRequest(url: baseURL + "/v2/user/me")
                request.method = .GET
                return try await client.execute(request, timeout: .seconds(50)).status
            }
            while emulator.stats.faultsTimeoutTotal == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(emulator.stats.userMeTotal == 1, "a held request still counts")
            return task
        }
        await #expect(throws: (any Error).self, "the held request was closed unanswered") { try await held.value }
        try await client.shutdown()
    }
}
