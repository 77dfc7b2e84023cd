import Foundation
import Hummingbird
import KakaoEmulator
import LoginAPI
import Metrics
import NIOHTTP1
import Prometheus
import TestSupport
import Testing

/// Health, readiness, metrics and the demo pages.
@Suite("Operations and demo")
struct OperationsTests {
    @Test("healthz, readyz, metrics")
    func healthReadinessMetrics() async throws {
        let registry = PrometheusCollectorRegistry()
        var options = Harness.Options()
        options.metricsFactory = PrometheusMetricsFactory(registry: registry)
        options.metricsExposition = { registry.emitToString() }
        try await Harness.run(options) { harness in
            let health = try await harness.send(.GET, "/healthz")
            #expect(health.status == 200)
            #expect(try health.object()["status"] as? String == "ok")
            try await waitUntil("ready") { try await harness.send(.GET, "/readyz").status == 200 }
            let ready = try await harness.send(.GET, "/readyz").object()
            #expect(ready["status"] as? String == "ready")
            #expect((ready["checks"] as? [String: Any])?["listener"] as? String == "ok")

            _ = try await harness.logIn()
            let metrics = try await harness.send(.GET, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["Content-Type"].first?.hasPrefix("text/plain") == true)
            #expect(metrics.body.contains(#"login_api_requests_total{route="/auth/{provider}/start",method="POST",status="200"}"#))
            #expect(metrics.body.contains(#"login_api_logins_enqueued_total{result="new"} 1"#))
            #expect(metrics.body.contains(#"login_api_poll_answers_total{status="succeeded",failure_code=""}"#))
            #expect(metrics.body.contains("login_api_poll_duration_seconds_bucket"))
        }
    }

    @Test("the demo pages, with no-referrer on the callback, and never in a frame")
    func demoPages() async throws {
        var options = Harness.Options(worker: false)
        options.api.demoPage = true
        try await Harness.run(options) { harness in
            let start = try await harness.send(.GET, "/")
            #expect(start.status == 200)
            #expect(start.headers["Content-Type"].first?.hasPrefix("text/html") == true)
            #expect(start.body.contains("카카오 로그인"))
            let callback = try await harness.send(.GET, "/auth/kakao/callback?code=abc&state=def")
            #expect(callback.status == 200)
            #expect(callback.headers["Referrer-Policy"].first == "no-referrer")
            #expect(callback.headers["Cache-Control"].first == "no-store")
            for page in [start, callback] {
                #expect(page.headers["X-Frame-Options"].first == "DENY")
                #expect(page.headers["Content-Security-Policy"].first == "frame-ancestors 'none'")
            }
            let script = try await harness.send(.GET, "/demo/demo.js")
            #expect(script.status == 200)
            #expect(script.headers["Content-Type"].first?.hasPrefix("text/javascript") == true)
            #expect(try await harness.send(.GET, "/demo/index.html").status == 404)
            #expect(try await harness.send(.GET, "/demo/missing.js").status == 404)
        }
    }

    @Test("without the demo setting the demo pages are not served")
    func noDemoByDefault() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            for path in ["/", "/auth/kakao/callback?code=abc&state=def", "/demo/demo.js"] {
                let status = try await harness.send(.GET, path).status
                #expect(status == 404, "\(path)")
            }
            let document = try await harness.send(.GET, "/openapi.yaml").status
            #expect(document == 200)
        }
    }

    @Test("with an operations listener, /metrics and /readyz leave the public one; /healthz stays on both")
    func operationsListener() async throws {
        let port = try FreePort.next()
        var options = Harness.Options(worker: false)
        options.operations = ApplicationConfiguration(address: .hostname("127.0.0.1", port: port))
        options.metricsExposition = { "# kakao-login metrics\n" }
        try await Harness.run(options) { harness in
            #expect(try await harness.send(.GET, "/metrics").status == 404)
            #expect(try await harness.send(.GET, "/readyz").status == 404)
            #expect(try await harness.send(.GET, "/healthz").status == 200)
            let operations = "http://127.0.0.1:\(port)"
            try await waitUntil("the operations listener answers") {
                (try? await harness.send(.GET, "/healthz", on: operations).status) == 200
            }
            let metrics = try await harness.send(.GET, "/metrics", on: operations)
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("kakao-login metrics"))
            #expect(try await harness.send(.GET, "/readyz", on: operations).status == 200)
            #expect(try await harness.send(.POST, "/auth/kakao/start", on: operations, body: "{}").status == 404)
        }
    }
}
