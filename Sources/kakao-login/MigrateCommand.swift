import ArgumentParser
import Foundation
import Postgres

/// `kakao-login migrate [up]` applies the pending migrations; `migrate status` lists them.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply or list the sql/migrations/NNNN_name.sql files.",
        subcommands: [MigrateUpCommand.self, MigrateStatusCommand.self],
        defaultSubcommand: MigrateUpCommand.self
    )

    /// `--migrations-dir`, shared by both subcommands.
    struct FolderOption: ParsableArguments {
        @Option(
            name: .customLong("migrations-dir"),
            help: "Folder of NNNN_name.sql files (default: $KAKAO_LOGIN_MIGRATIONS, else ./sql/migrations)."
        )
        var migrationsDirectory: String?
    }
}

/// `kakao-login migrate [up]`: applies the pending `NNNN_name.sql` files in order.
struct MigrateUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Apply the pending sql/migrations/NNNN_name.sql files in order (the default).",
        discussion: """
            Connects like psql: DATABASE_URL (or DATABASE_URL_FILE) as a libpq URI or key=value \
            string, else libpq's PG* variables and defaults. Each migration runs in its own \
            transaction under an advisory lock, so several processes may run this at once. \
            Refuses to run when an applied file was edited.
            """
    )

    @OptionGroup var folder: MigrateCommand.FolderOption

    func run() async throws {
        let logger = try LoggingBootstrap.logger("kakao-login.migrate")
        try await CommandErrors.reporting("migrate") {
            let environment = ProcessInfo.processInfo.environment
            let directory = MigrationsFolder.path(flag: folder.migrationsDirectory, environment: environment)
            let configuration = try PostgresConfiguration.fromEnvironment(environment)
            let migrator = Migrator(directory: directory, logger: logger)
            // Check the folder before connecting: a bad folder is reported without touching the database.
            let files = try migrator.loadMigrations()
            let report = try await PostgresConnection.withConnection(configuration: configuration, logger: logger) {
                connection in
                try await migrator.migrate(on: connection)
            }
            for migration in report.applied {
                print("applied \(migration.fileName)")
            }
            print(
                "migrations: \(report.applied.count) applied now, \(report.alreadyApplied) already applied, "
                    + "\(files.count) in \(directory)"
            )
        }
    }
}
