import Foundation
import TestSupport
import Testing

/// OpenTelemetry traces (`OTEL_EXPORTER_OTLP_ENDPOINT`): a real `kakao-login dev` exporting
/// OTLP/HTTP to a collector stand-in in this process.
@Suite("traces")
struct TracesTests {
    static let userID: Int64 = 1_376_016_924_426_814_086
    static let email = "apeach@emulator.kakao.test"

    @Test("one login is one trace: the API's request, the worker's job and steps, the provider's calls; no secret in a span")
    func oneLoginIsOneTrace() async throws {
        try await OTLPCollector.withCollector { collector in
            let environment: [String: String?] = [
                "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url, "OTEL_SERVICE_NAME": "kakao-login-traces-test",
                "OTEL_BSP_SCHEDULE_DELAY": "50", "LOG_FORMAT": "json",
            ]
            try await DevServer.withServer(environment: environment) { server in
                let login = try await LoginOverHTTP.run(on: server, userID: Self.userID)
                #expect(login.final["status"] as? String == "succeeded")
                try await waitUntil("the worker's spans reached the collector") {
                    collector.spans.contains { $0.name == "login.complete" }
                }
                await server.terminate()
                try Self.checkTrace(of: login, spans: collector.spans, log: server.process.log)
            }
        }
    }

    private static func checkTrace(of login: LoginOverHTTP, spans: [OTLPSpan], log: String) throws {
        let request = try #require(
            spans.first { $0.name == "POST /auth/{provider}/login" && $0.attributes["http.response.status_code"] == "202" },
            "no span of the POST of the code among \(spans.map(\.name))"
        )
        #expect(request.parentSpanID.isEmpty, "the API starts a new trace")
        #expect(request.kind == 2, "server")
        #expect(request.attributes["http.request.method"] == "POST")
        #expect(request.attributes["http.route"] == "/auth/{provider}/login")
        let trace = spans.filter { $0.traceID == request.traceID }
        #expect(Set(trace.map(\.serviceName)) == ["kakao-login-traces-test"])

        let job = try #require(trace.first { $0.name == "login.job" }, "login.job is not in the request's trace")
        #expect(job.parentSpanID == request.spanID)
        #expect(job.kind == 5, "consumer")
        #expect(job.attributes["login.id"] == login.loginID)
        #expect(job.attributes["login.job.outcome"] == "succeeded")
        #expect(job.statusCode != 2, "not an error")
        var steps: [String: OTLPSpan] = [:]
        for name in ["login.claim", "login.exchange", "login.checkpoint", "login.profile", "login.complete"] {
            let step = try #require(trace.first { $0.name == name }, "\(name) is not in the trace")
            #expect(step.parentSpanID == job.spanID, "\(name) is a child of login.job")
            steps[name] = step
        }
        let token = try #require(trace.first { $0.name == "HTTP POST" && $0.parentSpanID == steps["login.exchange"]?.spanID })
        #expect(token.kind == 3, "client")
        #expect(token.attributes["url.path"] == "/oauth/token")
        #expect(token.attributes["server.address"] == "127.0.0.1")
        #expect(token.attributes["http.response.status_code"] == "200")
        let userMe = try #require(trace.first { $0.attributes["url.path"] == "/v2/user/me" })
        #expect(userMe.name == "HTTP GET" && userMe.parentSpanID == steps["login.profile"]?.spanID)
        #expect(userMe.attributes["http.response.status_code"] == "200")
        // The login's other requests (start, polls) are traces of their own.
        let others = spans.filter { $0.name.hasPrefix("GET /auth/") || $0.name.hasPrefix("POST /auth/{provider}/start") }
        #expect(!others.isEmpty && others.allSatisfy { $0.traceID != request.traceID && $0.parentSpanID.isEmpty })

        let secrets = [
            "code": login.code, "state": login.state, "attempt token": login.attemptToken, "access token": login.accessToken,
            "refresh token": login.refreshToken, "email": Self.email,
        ]
        for span in spans {
            for (name, secret) in secrets {
                #expect(!span.name.contains(secret), "span \(span.name) names the \(name)")
                for (key, value) in span.attributes {
                    #expect(!value.contains(secret), "attribute \(key) of \(span.name) holds the \(name)")
                }
                #expect(!span.statusMessage.contains(secret))
            }
        }

        // The log lines of the request and of the job carry the trace's id.
        let entries = log.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        let enqueued = try #require(entries.first { $0["message"] == "login.enqueued" && $0["login.id"] == login.loginID })
        #expect(enqueued["trace_id"] == request.traceID)
        let succeeded = try #require(entries.first { $0["message"] == "login.job.succeeded" && $0["login.id"] == login.loginID })
        #expect(succeeded["trace_id"] == request.traceID)
        #expect(succeeded["span_id"] == job.spanID)
    }

    /// A collector that is not there, and one that takes the connection and never answers.
    enum Collector: String, CaseIterable, Sendable {
        case refusing, hanging
    }

    @Test("a collector that refuses connections or never answers changes nothing for logins", arguments: Collector.allCases)
    func badCollector(_ collector: Collector) async throws {
        let silent = try ListeningSocket()  // listens, never accepts
        defer { silent.close() }
        let port = collector == .hanging ? silent.port : try FreePort.next()
        let environment: [String: String?] = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)", "OTEL_BSP_SCHEDULE_DELAY": "50"]
        try await DevServer.withServer(environment: environment) { server in
            for user in [Self.userID, 4_242_001] {
                let login = try await LoginOverHTTP.run(on: server, userID: user)
                #expect(login.final["status"] as? String == "succeeded", "\(collector): \(login.final)")
            }
            #expect(await server.terminate() == 0, "\(server.process.log)")
        }
    }

    @Test("config check: the tracing settings are checked, the endpoint never echoed")
    func configCheck() async throws {
        var environment = ConfigCheckTests.cleared
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector.internal:4318"
        environment["OTEL_SERVICE_NAME"] = "kakao-login-eu"
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf"
        let good = try await KakaoLoginProcess.run(["config", "check", "--role", "dev"], environment: environment)
        #expect(good.status == 0, "\(good.standardError)")

        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "collector.internal:4318?key=s3cret-api-key"
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc"
        let bad = try await KakaoLoginProcess.run(["config", "check", "--role", "dev"], environment: environment)
        #expect(bad.status == 1)
        #expect(bad.standardError.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "\(bad.standardError)")
        #expect(bad.standardError.contains("OTEL_EXPORTER_OTLP_PROTOCOL: must be http/protobuf"), "\(bad.standardError)")
        #expect(!bad.standardError.contains("s3cret-api-key"))
    }

    @Test("a server refuses to start with another OTLP protocol, and says which setting")
    func serverRefusesProtocol() async throws {
        var environment = ConfigCheckTests.cleared
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318"
        environment["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "http/json"
        let run = try await KakaoLoginProcess.run(["worker"], environment: environment)
        #expect(run.status == 1)
        #expect(run.standardError.contains("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: must be http/protobuf"), "\(run.standardError)")
    }
}
