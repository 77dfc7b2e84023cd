import ArgumentParser
import Foundation
import Logging
import Postgres

/// `kakao-login queue`: the operator's view of the queue and actions on its jobs.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Watch and steer the login queue (operators).",
        subcommands: [
            QueueSummaryCommand.self, QueueStuckCommand.self, QueueRetryCommand.self, QueueCancelCommand.self, QueuePurgeCommand.self,
            QueuePauseCommand.self, QueueResumeCommand.self,
        ],
        defaultSubcommand: QueueSummaryCommand.self
    )
}

/// `kakao-login queue [summary]`: the `login_queue_summary` view, then the last hour's failures by
/// reason (`login_failures_recent`). The same as `psql -f sql/ops/queue_summary.sql`.
struct QueueSummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print the login queue summary (counts by state, oldest job, expired leases, recent failures)."
    )

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        try await CommandErrors.reporting("queue") {
            let (settings, problems) = Settings.load(environment: ProcessInfo.processInfo.environment)
            guard problems.isEmpty else { throw StartupError.invalid(problems) }
            let logger = LoggingBootstrap.logger("kakao-login.queue", level: .warning, format: settings.logFormat)
            let configuration = try settings.postgresConfiguration(applicationName: "kakao-login queue")
            try await PostgresConnection.withConnection(configuration: configuration, logger: logger) { connection in
                let summary = try await connection.query("SELECT * FROM login_queue_summary")
                let failures = try await connection.query(
                    "SELECT failure_code, provider_error, failures, last_seen FROM login_failures_recent"
                )
                let fields = try summary.single().text(columns: summary.columns)
                let failureRows = try failures.map { try $0.text(columns: failures.columns) }
                if json {
                    let object: [String: Any] = [
                        "summary": Dictionary(uniqueKeysWithValues: fields.map { ($0.0, $0.1 as Any) }),
                        "failures_last_hour": failureRows.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.0, $0.1 as Any) }) },
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                    return
                }
                let width = fields.map(\.0.count).max() ?? 0
                for (name, value) in fields {
                    print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (value ?? "-"))
                }
                print("")
                if failureRows.isEmpty {
                    print("no failed logins in the last hour")
                } else {
                    print("failed logins in the last hour:")
                    for row in failureRows {
                        let values = Dictionary(uniqueKeysWithValues: row.map { ($0.0, $0.1 ?? "") })
                        let providerError = values["provider_error"].flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
                        print(
                            "  \(values["failures"] ?? "0")  \(values["failure_code"] ?? "")\(providerError)  last \(values["last_seen"] ?? "")"
                        )
                    }
                }
            }
        }
    }
}

extension PostgresRow {
    /// Every column as text (NULL as nil), in the result's order.
    func text(columns: [String]) throws -> [(String, String?)] {
        try columns.enumerated().map { index, name in (name, try decode(String?.self, at: index)) }
    }
}
