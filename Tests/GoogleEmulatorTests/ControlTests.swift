import EmulatorTestSupport
import Foundation
import GoogleEmulator
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Testing

@Suite("Google emulator: fixed points and /_emulator/*")
struct ControlTests {
    @Test func fixedPoints() throws {
        let configuration = GoogleEmulatorConfiguration()
        #expect(configuration.clients.count == 1)
        let client = configuration.clients[0]
        #expect(client.clientID == Google.clientID)
        #expect(client.clientSecrets == [Google.clientSecret])
        #expect(client.redirectURIs == ["http://127.0.0.1:8080/auth/google/callback", "http://localhost:8080/auth/google/callback"])
        #expect(configuration.users.contains { $0.email != nil && !$0.emailVerified })
        #expect(configuration.users.contains { $0.hd != nil })
        #expect(configuration.users.allSatisfy { $0.sub.count == 21 && $0.sub.allSatisfy(\.isNumber) })
        #expect(configuration.faults.isNone)
        #expect(configuration.idTokenIssuerForm == .url)
    }

    @Test func codesMintsForNamedSyntheticAndFreshUsers() async throws {
        try await GoogleHTTP.run { http throws in
            let named = try await http.postJSON("/_emulator/codes", #"{"user_id": "\#(Google.alice)", "scope": "openid email"}"#)
            #expect(named.status == 200)
            #expect(named.json["user_id"] as? String == Google.alice)
            let synthetic = try await http.login(#"{"user_id": "555"}"#)
            let token = try #require(synthetic.json["access_token"] as? String)
            let me = try await http.get("/v1/userinfo", headers: [("Authorization", "Bearer \(token)")]).json
            #expect(me["sub"] as? String == "555")
            #expect(me["email"] as? String == "user-555@emulator.google.test")
            let fresh = try await http.postJSON("/_emulator/codes", "")
            let sub = try #require(fresh.json["user_id"] as? String)
            #expect(sub.count == 21 && sub.allSatisfy(\.isNumber))
            #expect(try await http.postJSON("/_emulator/codes", "").json["user_id"] as? String != sub)

            let stats = try await http.get("/_emulator/stats").json
            #expect(stats["codes_issued_total"] as? Int == 4)
            #expect(stats["token_requests_total"] as? Int == 1)
            #expect(stats["userinfo_total"] as? Int == 1)
            #expect(stats["codes_presented_more_than_once"] as? Int == 0)
            #expect((stats["requests_by_path"] as? [String: Int])?["/_emulator/codes"] == 4)
        }
    }

    @Test func codesRefusals() async throws {
        try await GoogleHTTP.run { http throws in
            for (body, error) in [
                ("not json", "invalid_request"), (#"{"user_id": 108234567890123456789}"#, "invalid_request"),
                (#"{"client_id": "nope"}"#, "invalid_client"), (#"{"redirect_uri": "http://evil.test/cb"}"#, "redirect_uri_mismatch"),
                (#"{"scope": "openid drive"}"#, "invalid_scope"),
                (#"{"code_challenge_method": "S512", "code_challenge": "\#(String(repeating: "a", count: 43))"}"#, "invalid_request"),
                (#"{"prompt": "none", "user_id": "\#(Google.alice)"}"#, "interaction_required"),
                (#"{"user_id": "has space"}"#, "invalid_request"),
            ] {
                let answer = try await http.postJSON("/_emulator/codes", body)
                #expect(answer.status == 400 || answer.status == 401, "\(body)")
                #expect(answer.json["error"] as? String == error, "\(body): \(answer.body)")
            }
            _ = try await http.login(#"{"user_id": "\#(Google.alice)"}"#)
            #expect(try await http.postJSON("/_emulator/codes", #"{"prompt": "none", "user_id": "\#(Google.alice)"}"#).status == 200)
        }
    }

    @Test func faultsClockAndElapsed() async throws {
        try await GoogleHTTP.run { http throws in
            let set = try await http.postJSON("/_emulator/faults", #"{"latency_ms": 5, "quota_rate": 1}"#)
            #expect(set.json["quota_rate"] as? Double == 1)
            let quota = try await http.login()
            #expect(quota.status == 429)
            #expect(quota.headers.first(name: "Content-Type") == "text/html; charset=UTF-8")
            #expect(quota.body.contains("automated queries"))
            let elapsed = try #require(quota.headers.first(name: "X-Emulator-Elapsed-Ms").flatMap(Double.init))
            #expect(elapsed >= 5)
            #expect(try await http.get("/oauth2/v3/certs").status == 200, "keys are never faulted")
            #expect(try await http.get("/o/oauth2/v2/auth").status == 400, "the browser pages are never faulted")

            _ = try await http.postJSON("/_emulator/faults", #"{"error_rate": 1}"#)
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await http.login().status) }
            #expect(statuses.sorted() == [500, 502, 503])
            let userinfo = try await http.get("/v1/userinfo")
            #expect([502, 503].contains(userinfo.status))
            #expect(try await http.postJSON("/_emulator/faults", "{}").json["error_rate"] as? Double == 0)
            #expect(http.emulator.faults.isNone)
            let stats = try await http.get("/_emulator/stats").json
            #expect(stats["faults_quota_total"] as? Int == 1)
            #expect(stats["faults_error_total"] as? Int == 4)

            let sub = "777000000000000000001"
            let token = try #require(try await http.login(#"{"user_id": "\#(sub)"}"#).json["access_token"] as? String)
            _ = try await http.get("/v1/userinfo", headers: [("Authorization", "Bearer \(token)")])
            let times = try await http.get("/_emulator/elapsed?user_ids=\(sub),777")
            #expect((times.json["calls"] as? [String: Int]) == [sub: 2])
            #expect(http.emulator.elapsedMilliseconds(userIDs: [sub, "777"]).keys.sorted() == [sub])
            #expect(try await http.get("/_emulator/elapsed?user_ids=a%20b").status == 400)

            let code = try http.emulator.mintCode()
            #expect(try await http.postJSON("/_emulator/clock", #"{"advance_seconds": 601}"#).json["now"] is Int)
            #expect(try await http.exchange(code).json["error_description"] as? String == "Bad Request")
            #expect(try await http.postJSON("/_emulator/clock", #"{"advance_seconds": "x"}"#).status == 400)
            #expect(try await http.postJSON("/_emulator/faults", #"{"error_rate": 2}"#).status == 400)
        }
    }

    @Test func elapsedHeaderOnEveryAnswerAndEveryRouteCounted() async throws {
        try await GoogleHTTP.run { http throws in
            let routes = http.emulator.buildRouter().routes
            let paths = Set(routes.map(\.path.description))
            #expect(paths.contains("/oauth2/v3/userinfo") && paths.contains("/token") && paths.contains("/_emulator/codes"))
            for route in routes {
                let answer = try await http.send(HTTPMethod(rawValue: route.method.rawValue), route.path.description)
                #expect(answer.status < 500, "\(route.method) \(route.path): \(answer.status)")
                #expect(answer.headers.first(name: "X-Emulator-Elapsed-Ms").flatMap(Double.init) != nil)
            }
            #expect(try await http.get("/nowhere").headers.first(name: "X-Emulator-Elapsed-Ms") != nil)
            let counted = http.emulator.stats.requestsByPath
            #expect(Set(counted.keys) == paths)
            for path in paths {
                #expect(counted[path] == routes.filter { $0.path.description == path }.count, "\(path)")
            }
        }
    }

    @Test func controlRoutesRefuseNonLoopbackPeersHoweverSpelled() async throws {
        let emulator = try GoogleEmulator(signingKeyPEM: testSigningKeyPEM, logger: Logger(label: "google-emulator-tests"))
        let remote = InProcessPeer(router: emulator.buildRouter(), remoteAddress: try SocketAddress(ipAddress: "192.0.2.10", port: 40_000))
        let routes: [(HTTPRequest.Method, String, String)] = [
            (.post, "codes", #"{"user_id": "7"}"#), (.get, "stats", ""), (.get, "elapsed?user_ids=7", ""), (.get, "faults", ""),
            (.post, "faults", #"{"error_rate": 1}"#), (.post, "clock", #"{"advance_seconds": 100000}"#), (.post, "keys/rotate", ""),
        ]
        let code = try emulator.mintCode(userID: Google.alice)
        let kid = emulator.signingKeyID
        for (method, route, body) in routes {
            for path in [
                "/_emulator/\(route)", "//_emulator/\(route)", "/_emulator//\(route)", "/./_emulator/\(route)", "/%5Femulator/\(route)",
                "/_emulator%2F\(route)", "/_emulator/\(route)/",
            ] {
                let answer = try await remote.send(method, path, body: body, contentType: "application/json")
                let unknown = try await remote.send(method, path.replacingOccurrences(of: "emulator", with: "nothing-here"), body: body)
                let shown = path.split(separator: "?")[0]
                #expect(answer.status == 404, "\(method) \(path)")
                #expect(answer.body == unknown.body.replacingOccurrences(of: "nothing-here", with: "emulator"), "\(method) \(path)")
                #expect(answer.body.contains("The requested URL <code>\(shown)</code> was not found"), "\(answer.body)")
            }
        }
        #expect(emulator.stats.codesIssuedTotal == 1)
        #expect(emulator.faults.isNone)
        #expect(emulator.signingKeyID == kid)
        #expect(emulator.stats.requestsByPath.filter { $0.key.hasPrefix("/_emulator/") }.values.allSatisfy { $0 == 0 })
        let local = InProcessPeer(router: emulator.buildRouter(), remoteAddress: try SocketAddress(ipAddress: "::1", port: 40_001))
        let form =
            "grant_type=authorization_code&client_id=\(Google.clientID)&client_secret=\(Google.clientSecret)&redirect_uri=\(Google.encodedRedirectURI)&code=\(Google.encode(code))"
        #expect(
            try await local.send(.post, "/token", body: form, contentType: "application/x-www-form-urlencoded").status == 200,
            "the clock did not move"
        )
        #expect(try await local.send(.get, "//_emulator/stats").status == 200, "a loopback peer reaches the route however it is spelled")
    }
}
