import Accounts
import ArgumentParser
import Foundation
import Logging
import Postgres

/// `kakao-login sessions list|revoke --user ID`: a user's sessions for operators. Only
/// `DATABASE_URL` is needed (no keys): listing shows no token, revoking ends every active
/// session and its refresh family at once (`revoked_reason = 'admin'`), so the user's access
/// tokens are refused by `/me` and their refresh tokens by `/auth/token/refresh` from then on.
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List or revoke a user's sessions (operators).",
        subcommands: [List.self, Revoke.self]
    )

    /// `--user`: a user id (`users.id`).
    struct UserOption: ParsableArguments {
        @Option(name: .customLong("user"), help: "The user's id (users.id, a UUID).")
        var userText: String

        var userID: UUID {
            get throws {
                guard let id = UUID(uuidString: userText) else { throw ValidationError("--user must be a user id (a UUID)") }
                return id
            }
        }

        func validate() throws { _ = try userID }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a user's sessions, newest first.")
        @OptionGroup var user: UserOption

        func run() async throws {
            try await SessionsCommand.withUserSessions("sessions list") { sessions in
                let userID = try user.userID
                guard try await sessions.userExists(userID) else { throw StartupError("no user \(userID.uuidString.lowercased())") }
                let list = try await sessions.list(userID: userID)
                if list.isEmpty { print("no sessions") }
                let style = Date.ISO8601FormatStyle(timeZone: .gmt)
                for session in list {
                    let state = session.isActive() ? "active" : session.revokedReason.map { "revoked (\($0))" } ?? "expired"
                    print(
                        "\(session.id.uuidString.lowercased())  \(session.provider)  created \(session.createdAt.formatted(style))  "
                            + "last used \(session.lastUsedAt.formatted(style))  \(state)  "
                            + "\(session.device.userAgentFamily ?? "-") from \(session.device.clientNetwork ?? "-")"
                    )
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke every active session of a user (a stolen token, a support request)."
        )
        @OptionGroup var user: UserOption

        func run() async throws {
            try await SessionsCommand.withUserSessions("sessions revoke") { sessions in
                let userID = try user.userID
                guard try await sessions.userExists(userID) else { throw StartupError("no user \(userID.uuidString.lowercased())") }
                let revoked = try await sessions.revokeAll(userID: userID, reason: .admin)
                print("revoked \(revoked) session\(revoked == 1 ? "" : "s") of user \(userID.uuidString.lowercased())")
            }
        }
    }

    /// Runs `body` with a user's sessions on an operator's connection (``OperatorDatabase``).
    static func withUserSessions(_ command: String, _ body: @Sendable (UserSessions) async throws -> Void) async throws {
        try await OperatorDatabase.run(command) { pool, _, logger in try await body(UserSessions(pool: pool, logger: logger)) }
    }
}
