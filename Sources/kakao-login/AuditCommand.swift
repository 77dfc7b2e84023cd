import Accounts
import ArgumentParser
import Foundation
import Logging
import Postgres

/// `kakao-login audit --user ID`: one user's story from the audit trail, oldest first — the same
/// as `psql -v user_id=… -f sql/ops/user_timeline.sql`. Only `DATABASE_URL` is needed.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print what happened to a user's account (the audit trail), oldest first."
    )

    @OptionGroup var user: SessionsCommand.UserOption

    @Flag(help: "Print one JSON object per line instead of text.")
    var json = false

    func run() async throws {
        let userID = try user.userID
        let events = try await OperatorDatabase.run("audit") { pool, _, _ in try await AuditTrail(pool: pool).timeline(userID: userID) }
        do {
            if events.isEmpty, !json { print("no events for user \(userID.uuidString.lowercased())") }
            let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
            for event in events {
                if json {
                    var object: [String: Any] = [
                        "occurred_at": event.occurredAt.formatted(style), "event": event.event, "detail": event.detail,
                    ]
                    object["provider"] = event.provider
                    object["session_id"] = event.sessionID?.uuidString.lowercased()
                    object["login_id"] = event.loginID?.uuidString.lowercased()
                    object["client_network"] = event.clientNetwork
                    object["request_id"] = event.requestID
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    let parts = [
                        event.occurredAt.formatted(style), event.event, event.provider ?? "-", event.detail.isEmpty ? nil : event.detail,
                        event.sessionID.map { "session " + $0.uuidString.lowercased() },
                        event.loginID.map { "job " + $0.uuidString.lowercased() },
                        event.clientNetwork.map { "from " + $0 },
                        event.requestID.map { "request " + $0 },
                    ]
                    print(parts.compactMap { $0 }.joined(separator: "  "))
                }
            }
        }
    }
}
