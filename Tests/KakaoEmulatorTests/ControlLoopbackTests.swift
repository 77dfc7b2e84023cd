import EmulatorTestSupport
import HTTPTypes
import Logging
import NIOCore
import Testing

@testable import KakaoEmulator

/// `/_emulator/*` answers loopback peers only, however the path is spelled: from any other peer
/// a control route answers exactly as an unknown path does and changes nothing.
@Suite("Control endpoints from a non-loopback peer")
struct ControlLoopbackTests {
    /// Every control route, with a body that would change something if it were obeyed.
    static let controlRoutes: [(HTTPRequest.Method, String, String)] = [
        (.post, "codes", #"{"user_id": 7}"#),
        (.get, "stats", ""),
        (.get, "elapsed?user_ids=7", ""),
        (.get, "faults", ""),
        (.post, "faults", #"{"error_rate": 1}"#),
        (.post, "clock", #"{"advance_seconds": 100000}"#),
        (.post, "keys/rotate", ""),
    ]

    /// Spellings the router may resolve to a control route.
    static func spellings(of route: String) -> [String] {
        [
            "/_emulator/\(route)", "//_emulator/\(route)", "/_emulator//\(route)", "///_emulator/\(route)",
            "/./_emulator/\(route)", "/%5Femulator/\(route)", "/%5femulator/\(route)", "/_emulator%2F\(route)",
            "/_emulator/\(route)/",
        ]
    }

    @Test func refusedEverywhereAndNothingChanges() async throws {
        let emulator = try KakaoEmulator(signingKeyPEM: testSigningKeyPEM, logger: Logger(label: "emulator-tests"))
        let remote = InProcessPeer(router: emulator.buildRouter(), remoteAddress: try SocketAddress(ipAddress: "192.0.2.10", port: 40_000))
        let code = try emulator.mintCode(userID: 5)
        let kid = emulator.core.signer.currentKID
        for (method, route, body) in Self.controlRoutes {
            let unknown = try await remote.send(method, "/no-such-path", body: body, contentType: "application/json")
            for path in Self.spellings(of: route) {
                let answer = try await remote.send(method, path, body: body, contentType: "application/json")
                #expect(answer.status == unknown.status, "\(method) \(path)")
                #expect(answer.body == unknown.body, "\(method) \(path)")
                #expect(answer.headers[.contentType] == unknown.headers[.contentType], "\(method) \(path)")
            }
        }
        #expect(unknownAnswerIsKakaos404(try await remote.send(.get, "/no-such-path")))
        let stats = emulator.stats
        #expect(stats.codesIssuedTotal == 1, "only the code minted in process")
        #expect(emulator.faults.isNone)
        #expect(emulator.core.signer.currentKID == kid)
        for (path, count) in stats.requestsByPath where path.hasPrefix("/_emulator/") {
            #expect(count == 0, "\(path) counted")
        }
        let loopback = InProcessPeer(router: emulator.buildRouter(), remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 40_001))
        let form =
            "grant_type=authorization_code&client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&code=\(code)"
        let exchange = try await loopback.send(.post, "/oauth/token", body: form, contentType: "application/x-www-form-urlencoded")
        #expect(exchange.status == 200, "the clock did not move: the code is still good")
    }

    @Test func loopbackPeersStillReachEveryControlRoute() async throws {
        let emulator = try KakaoEmulator(signingKeyPEM: testSigningKeyPEM, logger: Logger(label: "emulator-tests"))
        let local = InProcessPeer(router: emulator.buildRouter(), remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 40_002))
        for (method, route, body) in Self.controlRoutes {
            let answer = try await local.send(method, "/_emulator/\(route)", body: body, contentType: "application/json")
            #expect(answer.status == 200, "\(method) /_emulator/\(route)")
        }
        #expect(emulator.stats.codesIssuedTotal == 1)
        #expect(emulator.stats.requestsByPath["/_emulator/faults"] == 2)
        for path in ["//_emulator/stats", "/_emulator//stats", "/_emulator/stats/"] {
            #expect(try await local.send(.get, path).status == 200, "the router resolves \(path) to the route")
        }
        for path in ["/./_emulator/stats", "/%5Femulator/stats", "/_emulator%2Fstats"] {
            #expect(try await local.send(.get, path).status == 404, "\(path) matches no route")
        }
    }

    private func unknownAnswerIsKakaos404(_ answer: InProcessPeer<EmulatorRequestContext>.Answer) -> Bool {
        answer.status == 404 && answer.body.contains(#""code":-9"#)
    }
}
