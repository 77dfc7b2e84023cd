import LocalPostgres
import Logging
import Postgres

/// The database of `kakao-login dev`: the private cluster (started, initialized on first use,
/// with its `kakao_login` database), then the migrations, on it or on the server `DATABASE_URL`
/// names.
enum DevDatabase {
    /// The database made in the private cluster.
    static let name = "kakao_login"

    /// Starts the cluster (initdb on first use) and creates the database if missing.
    static func start(_ cluster: LocalPostgresCluster, logger: Logger) async throws {
        if !cluster.isInitialized {
            logger.notice("dev.cluster.initializing", metadata: ["db.cluster.directory": "\(cluster.directory)"])
        }
        try await cluster.start()
        let admin = PostgresConfiguration(connectionString: cluster.connectionString(), applicationName: "kakao-login dev")
        try await PostgresConnection.withConnection(configuration: admin, logger: logger) { connection in
            let existing = try await connection.query("SELECT 1 AS found FROM pg_database WHERE datname = \(name)")
            if existing.first == nil {
                try await connection.execute("CREATE DATABASE \(identifier: name)")
            }
        }
    }

    /// Applies the pending migrations of `directory`.
    static func migrate(_ configuration: PostgresConfiguration, directory: String, logger: Logger) async throws {
        let migrator = Migrator(directory: directory, logger: logger)
        _ = try migrator.loadMigrations()
        let report = try await PostgresConnection.withConnection(configuration: configuration, logger: logger) { connection in
            try await migrator.migrate(on: connection)
        }
        logger.info(
            "dev.migrated",
            metadata: ["db.migrations.applied": "\(report.applied.count)", "db.migrations.already": "\(report.alreadyApplied)"]
        )
    }
}
