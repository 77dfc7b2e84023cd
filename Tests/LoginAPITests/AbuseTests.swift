import Foundation
import KakaoEmulator
import LoginAPI
import NIOHTTP1
import Postgres
import Prometheus
import TestSupport
import Testing

/// Rate limits, backpressure, an unreachable database, CORS and the Origin check.
@Suite("Abuse and edges")
struct AbuseTests {
    @Test("each endpoint has its own per-client-IP rate limit, answered 429 with Retry-After")
    func rateLimits() async throws {
        var options = Harness.Options(worker: false)
        options.api.rateLimits = .init(start: 2, login: 2, poll: 3, refresh: 2)
        try await Harness.run(options) { harness in
            let attempt = try await harness.start()
            _ = try await harness.start()
            let limited = try await harness.send(.POST, "/auth/kakao/start", body: "{}")
            #expect(limited.status == 429)
            #expect(try limited.errorCode() == "rate_limited")
            #expect(Int(limited.headers["Retry-After"].first ?? "") ?? 0 >= 1)

            let posted = try await harness.postCode(try harness.code(for: attempt), attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            for _ in 0..<3 { #expect(try await harness.poll(loginID, headers: [("X-Login-Attempt", attempt.token)]).status == 200) }
            #expect(try await harness.poll(loginID, headers: [("X-Login-Attempt", attempt.token)]).status == 429)

            for _ in 0..<2 { #expect(try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "x"}"#).status == 401) }
            #expect(try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "x"}"#).status == 429)
        }
    }

    @Test("behind a trusted proxy the rightmost untrusted X-Forwarded-For address is the client")
    func trustedProxy() async throws {
        var options = Harness.Options(worker: false)
        options.api.rateLimits = .init(start: 1)
        options.api.trustedProxies = [IPNetwork("127.0.0.0/8")!]
        try await Harness.run(options) { harness in
            let first = [("X-Forwarded-For", "198.51.100.7, 203.0.113.1")]
            #expect(try await harness.send(.POST, "/auth/kakao/start", headers: first, body: "{}").status == 200)
            // The client wrote the leftmost entry itself: it does not make it another client.
            let spoofed = [("X-Forwarded-For", "192.0.2.99, 203.0.113.1")]
            #expect(try await harness.send(.POST, "/auth/kakao/start", headers: spoofed, body: "{}").status == 429)
            let other = [("X-Forwarded-For", "203.0.113.2")]
            #expect(try await harness.send(.POST, "/auth/kakao/start", headers: other, body: "{}").status == 200)
            let row = try await harness.pool.query("SELECT host(client_ip) AS ip FROM login_attempts ORDER BY created_at LIMIT 1").single()
            #expect(try row.decode(String.self, "ip") == "203.0.113.1")
        }
    }

    @Test("at the queue's maximum depth new logins get 503 queue_full and nothing is written")
    func queueFull() async throws {
        var options = Harness.Options(worker: false)
        options.api.queueMaxDepth = 1
        options.api.queueDepthCacheDuration = .zero
        try await Harness.run(options) { harness in
            let first = try await harness.start()
            #expect(try await harness.postCode(try harness.code(for: first), attempt: first).status == 202)
            let second = try await harness.start()
            let before = try await harness.rowCounts()
            let answer = try await harness.postCode(try harness.code(for: second), attempt: second)
            #expect(answer.status == 503)
            #expect(try answer.errorCode() == "queue_full")
            #expect(answer.headers["Retry-After"].first != nil)
            #expect(try await harness.rowCounts() == before)
        }
    }

    @Test("while the database is unreachable: 503 database_unavailable with Retry-After, never a 202")
    func databaseUnavailable() async throws {
        var options = Harness.Options(worker: false)
        options.deadDatabase = true
        try await Harness.run(options) { harness in
            let requests: [(String, String, [(String, String)], String?)] = [
                ("POST", "/auth/kakao/start", [], "{}"),
                (
                    "POST", "/auth/kakao/login", [("X-Login-Attempt", String(repeating: "a", count: 43))],
                    #"{"code": "abc", "state": "def"}"#
                ),
                ("GET", "/auth/kakao/login/\(UUID().uuidString)", [("X-Login-Attempt", String(repeating: "a", count: 43))], nil),
                ("POST", "/auth/token/refresh", [], #"{"refresh_token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#),
            ]
            for (method, path, headers, body) in requests {
                let answer = try await harness.send(.init(rawValue: method), path, headers: headers, body: body)
                #expect(answer.status == 503, "\(method) \(path)")
                #expect(try answer.errorCode() == "database_unavailable", "\(method) \(path)")
                #expect(answer.headers["Retry-After"].first == "2")
            }
            let ready = try await harness.send(.GET, "/readyz")
            #expect(ready.status == 503)
            #expect(try ready.object()["status"] as? String == "not_ready")
            #expect(try await harness.send(.GET, "/healthz").status == 200)
        }
    }

    @Test("CORS: allowed origins get credentials, others are refused at preflight and on cookie-bound POSTs")
    func corsAndOrigin() async throws {
        var options = Harness.Options(worker: false)
        options.api.corsAllowedOrigins = ["https://app.example"]
        try await Harness.run(options) { harness in
            let preflight = try await harness.send(
                .OPTIONS,
                "/auth/kakao/login",
                headers: [
                    ("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "content-type, x-login-attempt"),
                ]
            )
            #expect(preflight.status == 204)
            #expect(preflight.headers["Access-Control-Allow-Origin"].first == "https://app.example")
            #expect(preflight.headers["Access-Control-Allow-Credentials"].first == "true")
            #expect(preflight.headers["Access-Control-Allow-Headers"].first?.contains("X-Login-Attempt") == true)
            #expect(preflight.headers["Vary"].contains { $0.contains("Origin") })

            let evilPreflight = try await harness.send(
                .OPTIONS,
                "/auth/kakao/login",
                headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")]
            )
            #expect(evilPreflight.status == 403)
            #expect(evilPreflight.headers["Access-Control-Allow-Origin"].isEmpty)

            let before = try await harness.rowCounts()
            let evil = try await harness.send(.POST, "/auth/kakao/start", headers: [("Origin", "https://evil.example")], body: "{}")
            #expect(evil.status == 403)
            #expect(try evil.errorCode() == "origin_not_allowed")
            let null = try await harness.send(.POST, "/auth/kakao/start", headers: [("Origin", "null")], body: "{}")
            #expect(null.status == 403)
            #expect(try await harness.rowCounts() == before)

            let allowed = try await harness.send(.POST, "/auth/kakao/start", headers: [("Origin", "https://app.example")], body: "{}")
            #expect(allowed.status == 200)
            #expect(allowed.headers["Access-Control-Allow-Origin"].first == "https://app.example")
            #expect(allowed.headers["Access-Control-Allow-Credentials"].first == "true")

            let own = try await harness.send(.POST, "/auth/kakao/start", headers: [("Origin", harness.baseURL)], body: "{}")
            #expect(own.status == 200)
            #expect(own.headers["Access-Control-Allow-Origin"].isEmpty)
        }
    }

    @Test("the pending-attempt cap counts an IPv6 client by its /64")
    func pendingAttemptsPerIPv6Block() async throws {
        var options = Harness.Options(worker: false)
        options.api.trustedProxies = [IPNetwork("127.0.0.0/8")!]
        try await Harness.run(options) { harness in
            // 30 unused attempts per client by default: each from another address of one /64.
            for host in 1...30 {
                let from = [("X-Forwarded-For", "2001:db8:7:7::\(String(host, radix: 16))")]
                #expect(try await harness.send(.POST, "/auth/kakao/start", headers: from, body: "{}").status == 200)
            }
            let sameBlock = try await harness.send(
                .POST,
                "/auth/kakao/start",
                headers: [("X-Forwarded-For", "2001:db8:7:7:aaaa::1")],
                body: "{}"
            )
            #expect(sameBlock.status == 429)
            #expect(try sameBlock.errorCode() == "too_many_pending_attempts")
            let otherBlock = try await harness.send(
                .POST,
                "/auth/kakao/start",
                headers: [("X-Forwarded-For", "2001:db8:7:8::1")],
                body: "{}"
            )
            #expect(otherBlock.status == 200)
            let keys = try await harness.pool.query("SELECT DISTINCT text(client_ip) AS key FROM login_attempts ORDER BY 1")
            #expect(try keys.map { try $0.decode(String.self, "key") } == ["2001:db8:7:7::/64", "2001:db8:7:8::/64"])
        }
    }

    @Test("above the global ceiling of pending attempts, start is 503 queue_full and nothing is written")
    func globalPendingCeiling() async throws {
        var options = Harness.Options(worker: false)
        options.api.trustedProxies = [IPNetwork("127.0.0.0/8")!]
        options.api.clientLimits.maxPendingAttempts = 3
        options.api.queueDepthCacheDuration = .zero
        try await Harness.run(options) { harness in
            for host in 1...3 {
                let from = [("X-Forwarded-For", "198.51.100.\(host)")]
                #expect(try await harness.send(.POST, "/auth/kakao/start", headers: from, body: "{}").status == 200)
            }
            let before = try await harness.rowCounts()
            let refused = try await harness.send(.POST, "/auth/kakao/start", headers: [("X-Forwarded-For", "198.51.100.9")], body: "{}")
            #expect(refused.status == 503)
            #expect(try refused.errorCode() == "queue_full")
            #expect(refused.headers["Retry-After"].first != nil)
            #expect(try await harness.rowCounts() == before)
        }
    }

    @Test("a poll beyond the login's or the client's bound of waiting polls is answered at once")
    func waitingPollBounds() async throws {
        var options = Harness.Options(worker: false)
        options.api.clientLimits.maxPollsPerLogin = 1
        options.api.clientLimits.maxPollsPerClient = 2
        let registry = PrometheusCollectorRegistry()
        options.metricsFactory = PrometheusMetricsFactory(registry: registry)
        /// `login_api_polls_waiting`, as Prometheus would read it.
        @Sendable func waitingPolls() -> Int? {
            registry.emitToString().split(separator: "\n").first { $0.hasPrefix("login_api_polls_waiting ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) }
        }
        try await Harness.run(options) { harness in
            var logins: [(id: String, headers: [(String, String)])] = []
            for _ in 0..<2 {
                let attempt = try await harness.start()
                let posted = try await harness.postCode(try harness.code(for: attempt), attempt: attempt)
                logins.append((try #require(try posted.object()["login_id"] as? String), [("X-Login-Attempt", attempt.token)]))
            }
            let (first, second) = (logins[0], logins[1])
            // Nothing completes these logins (no worker): a poll that waits holds its slot for 30 s.
            let waiting = Task { try await harness.poll(first.id, wait: 30, headers: first.headers) }
            try await waitUntil("the first poll waits") { waitingPolls() == 1 }
            // The same login again: over the login's bound, answered at once while the first waits.
            let again = try await harness.poll(first.id, wait: 30, headers: first.headers)
            #expect(again.status == 200)
            #expect(try again.object()["status"] as? String == "pending")
            // Another login of the same client still waits (the client's bound is 2) …
            let secondWaiting = Task { try await harness.poll(second.id, wait: 30, headers: second.headers) }
            try await waitUntil("two polls wait") { waitingPolls() == 2 }
            // … and a third is over the client's bound.
            let third = try await harness.poll(second.id, wait: 30, headers: second.headers)
            #expect(try third.object()["status"] as? String == "pending")
            #expect(waitingPolls() == 2)
            waiting.cancel()
            secondWaiting.cancel()
        }
    }
}
