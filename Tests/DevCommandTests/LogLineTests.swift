import Foundation
import TestSupport
import Testing

/// Log lines as text (the default, swift-log's `StreamLogHandler` format) and with
/// `LOG_FORMAT=json` one JSON object per line; the lines of one login carry its request id and
/// its login id, and none carries a code, a token, a state or an email.
@Suite("dev: log lines")
struct LogLineTests {
    @Test("the lines of one login carry request.id and login.id, and no secret")
    func oneLogin() async throws {
        let (login, log) = try await DevServer.withServer(environment: ["LOG_FORMAT": "json", "LOG_LEVEL": "debug"]) { server in
            let login = try await LoginOverHTTP.run(on: server, userID: 1_376_016_924_426_814_086)
            await server.terminate()
            return (login, server.process.log)
        }
        #expect(login.final["status"] as? String == "succeeded")
        let lines = log.split(separator: "\n").filter { $0.hasPrefix("{") }
        let entries = try lines.map { line in
            try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
                "not a JSON object of strings: \(line)"
            )
        }
        #expect(entries.count > 10)
        for entry in entries {
            #expect(entry["time"] != nil && entry["level"] != nil && entry["label"] != nil && entry["message"] != nil)
            #expect(entry["time"]?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "milliseconds, UTC")
        }
        func named(_ message: String) -> [[String: String]] { entries.filter { $0["message"] == message } }

        let ours = entries.filter { $0["login.id"] == login.loginID }
        let enqueued = try #require(named("login.enqueued").first { $0["login.id"] == login.loginID })
        #expect(enqueued["request.id"]?.isEmpty == false)
        #expect(named("login.job.succeeded").contains { $0["login.id"] == login.loginID && $0["job.id"] != nil })
        let delivered = try #require(named("authn_login_success").first { $0["login.id"] == login.loginID })
        #expect(delivered["request.id"]?.isEmpty == false)
        #expect(delivered["request.id"] != enqueued["request.id"])
        // Every API line about this login comes from a request and says which.
        for entry in ours where entry["label"] == "kakao-login.api" {
            #expect(entry["request.id"]?.isEmpty == false, "\(entry)")
        }
        #expect(named("login.attempt.started").allSatisfy { $0["request.id"] != nil && $0["login.attempt.id"] != nil })

        Self.expectNoSecret(of: login, in: log)
    }

    @Test("text lines: time, level, label, the metadata sorted by key, the module, the message")
    func textLines() async throws {
        let (login, log) = try await DevServer.withServer(environment: ["LOG_LEVEL": "debug"]) { server in
            let login = try await LoginOverHTTP.run(on: server, userID: 1_376_016_924_426_814_087)
            await server.terminate()
            return (login, server.process.log)
        }
        #expect(login.final["status"] as? String == "succeeded")
        // Values may hold spaces (a list, a description): the metadata is matched as a whole.
        let line =
            #/
            \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} \x20
            (trace|debug|info|notice|warning|error|critical) \x20
            [a-z.-]+: (\x20.+)? \x20 \[[A-Za-z_]+\] \x20 .+
            /#
        // Ours: a time with a `T`, as PostgreSQL's own lines (also on this output) do not write it.
        let lines = log.split(separator: "\n").filter { $0.prefixMatch(of: /\d{4}-\d\d-\d\dT/) != nil }
        #expect(lines.count > 10)
        for text in lines {
            #expect(text.wholeMatch(of: line) != nil, "not a text log line: \(text)")
        }
        let enqueued = try #require(lines.first { $0.hasSuffix(" login.enqueued") && $0.contains("login.id=\(login.loginID)") })
        #expect(enqueued.contains(" request.id=") && enqueued.contains(" [LoginAPI] "))
        let keys = enqueued.matches(of: #/ ([a-z._]+)=/#).map { String($0.output.1) }
        #expect(keys.count >= 3 && keys == keys.sorted(), "metadata sorted by key: \(enqueued)")
        Self.expectNoSecret(of: login, in: log)
    }

    static func expectNoSecret(of login: LoginOverHTTP, in log: String) {
        let secrets = [
            "code": login.code, "state": login.state, "attempt token": login.attemptToken, "access token": login.accessToken,
            "refresh token": login.refreshToken, "email": "apeach@emulator.kakao.test",
        ]
        for (name, secret) in secrets {
            #expect(!secret.isEmpty)
            #expect(!log.contains(secret), "the log holds the \(name)")
        }
    }
}
