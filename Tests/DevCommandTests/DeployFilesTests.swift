import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// The deploy files name real metrics: every metric an alert (`deploy/prometheus/alerts.yml`) or
/// a dashboard panel (`deploy/grafana/kakao-login.json`) reads is on a running service's
/// `/metrics` after one login. (`promtool` checks the rules' syntax and their unit tests in CI.)
@Suite("deploy files")
struct DeployFilesTests {
    @Test("every metric the alerts and the dashboard read is exported")
    func metricsExist() async throws {
        let deploy = try TestEnvironment.migrationsDirectory() + "/../../deploy"
        let alerts = try String(contentsOfFile: deploy + "/prometheus/alerts.yml", encoding: .utf8)
        let dashboard = try String(contentsOfFile: deploy + "/grafana/kakao-login.json", encoding: .utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(dashboard.utf8)) as? [String: Any])
        let panels = try #require(object["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 15)
        let named = Self.metricNames(in: (Self.ruleExpressions(alerts) + expressions).joined(separator: "\n"))
        #expect(named.count >= 15, "\(named)")

        try await DevServer.withServer { server in
            let login = try await LoginOverHTTP.run(on: server, userID: 3_141_592_653)
            #expect(login.final["status"] as? String == "succeeded")
            // The queue gauges appear within a few seconds of the worker's start.
            var missing = named
            for _ in 0..<30 where !missing.isEmpty {
                missing = named.subtracting(Self.exportedNames(try await HTTPJSON.send(.GET, server.apiURL + "/metrics").text))
                if !missing.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(missing.isEmpty, "named in deploy/ but not exported: \(missing.sorted())")
        }
    }

    /// The `expr:` values of a rules file: inline, or the indented block after `expr: |`.
    static func ruleExpressions(_ yaml: String) -> [String] {
        var expressions: [String] = []
        var block: (indent: Int, lines: [String])?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let indent = line.prefix { $0 == " " }.count
            let text = line.trimmingCharacters(in: .whitespaces)
            if let open = block {
                if !text.isEmpty && indent <= open.indent {
                    expressions.append(open.lines.joined(separator: "\n"))
                    block = nil
                } else {
                    block?.lines.append(text)
                    continue
                }
            }
            guard text.hasPrefix("expr:") else { continue }
            let value = text.dropFirst("expr:".count).trimmingCharacters(in: .whitespaces)
            if value == "|" || value == ">-" { block = (indent, []) } else { expressions.append(value) }
        }
        if let open = block { expressions.append(open.lines.joined(separator: "\n")) }
        return expressions
    }

    /// The metric names in PromQL text: identifiers of this service's families, without the
    /// histogram suffixes.
    static func metricNames(in text: String) -> Set<String> {
        let pattern = try! Regex(#"\b(login_[a-z_]+|db_[a-z_]+|process_[a-z_]+|kakao_login_[a-z_]+)\b"#)
        return Set(
            text.matches(of: pattern).map { match in
                var name = String(text[match.range])
                for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
                return name
            }
        )
    }

    /// The families in Prometheus text (`# TYPE name kind` lines).
    static func exportedNames(_ exposition: String) -> Set<String> {
        Set(
            exposition.split(separator: "\n").compactMap { line in
                line.hasPrefix("# TYPE ") ? line.split(separator: " ").dropFirst(2).first.map(String.init) : nil
            }
        )
    }
}
