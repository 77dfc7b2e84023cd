import ArgumentParser
import Foundation
import Postgres

/// `kakao-login migrate status`: every migration, applied (when) or pending, and the files the
/// migrator would refuse (edited after they were applied, or gone). Reads only. Exits 1 when the
/// database and the folder disagree (an edited or a missing file).
struct MigrateStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List applied and pending migrations (reads only)."
    )

    @OptionGroup var folder: MigrateCommand.FolderOption

    func run() async throws {
        let logger = try LoggingBootstrap.logger("kakao-login.migrate")
        try await CommandErrors.reporting("migrate status") {
            let environment = ProcessInfo.processInfo.environment
            let directory = MigrationsFolder.path(flag: folder.migrationsDirectory, environment: environment)
            let configuration = try PostgresConfiguration.fromEnvironment(environment)
            let migrator = Migrator(directory: directory, logger: logger)
            _ = try migrator.loadMigrations()
            let statuses = try await PostgresConnection.withConnection(configuration: configuration, logger: logger) { connection in
                try await migrator.status(on: connection)
            }
            let style = Date.ISO8601FormatStyle(timeZone: .gmt)
            var pending = 0
            var broken = 0
            for status in statuses {
                switch status.state {
                case .applied(let at):
                    print("applied  \(status.name)  \(at.formatted(style))")
                case .pending:
                    pending += 1
                    print("pending  \(status.name)")
                case .edited(let at):
                    broken += 1
                    print("EDITED   \(status.name)  applied \(at.formatted(style)), the file changed since: restore it")
                case .missing:
                    broken += 1
                    print("MISSING  \(status.version) \(status.name)  recorded as applied, no file in \(directory)")
                }
            }
            print("migrations: \(statuses.count - pending - broken) applied, \(pending) pending, \(broken) the migrator refuses")
            if broken > 0 { throw ExitCode.failure }
        }
    }
}
