import Foundation
import Logging
import Postgres

/// What the operators' commands (`queue …`, `sessions …`, `audit`) share: the settings from the
/// environment (refused as a whole when any is invalid), a quiet logger, one pooled connection to
/// `DATABASE_URL`, and failures as one line on standard error with exit 1.
enum OperatorDatabase {
    /// Runs `body` with a one-connection pool; `command` names the command in errors and in
    /// `application_name`.
    static func run<Result: Sendable>(
        _ command: String,
        _ body: @Sendable (PostgresPool, Settings, Logger) async throws -> Result
    ) async throws -> Result {
        try await CommandErrors.reporting(command) {
            let (settings, problems) = Settings.load(environment: ProcessInfo.processInfo.environment)
            guard problems.isEmpty else { throw StartupError.invalid(problems) }
            let logger = LoggingBootstrap.logger("kakao-login.operator", level: .warning, format: settings.logFormat)
            let configuration = try settings.postgresConfiguration(applicationName: "kakao-login \(command)")
            return try await PostgresPool.withRunning(
                configuration: configuration,
                options: .init(maximumConnections: 1, name: "operator"),
                logger: logger
            ) { pool in try await body(pool, settings, logger) }
        }
    }
}
