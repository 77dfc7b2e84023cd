import Foundation
import Logging
import Postgres

/// What `scripts/test` exports for the test processes. Missing values are failures, never
/// reasons to skip: run the tests through `./scripts/test`.
public enum TestEnvironment {
    /// The variable's value, or a thrown error naming it.
    public static func require(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestSupportError("\(name) is not set: run the tests with ./scripts/test, which starts a server")
        }
        return value
    }

    /// `DATABASE_URL` of the shared test server (its `postgres` database).
    public static func databaseURL() throws -> String { try require("DATABASE_URL") }

    /// `DATABASE_URL` pointed at another database of the shared server (for child processes).
    public static func databaseURL(database: String) throws -> String {
        let base = try databaseURL()
        guard !base.contains("://") else {
            throw TestSupportError("DATABASE_URL must be a key=value string for the tests (scripts/test sets one)")
        }
        return base + " dbname='\(database)'"
    }

    /// The shared server, any database.
    public static func configuration(database: String? = nil) throws -> PostgresConfiguration {
        PostgresConfiguration(connectionString: try databaseURL(), database: database)
    }

    /// The migrated template database the suites clone (`KAKAO_TEST_TEMPLATE_DB`).
    public static func templateDatabase() throws -> String { try require("KAKAO_TEST_TEMPLATE_DB") }

    /// The built `kakao-login` executable (`KAKAO_LOGIN_BIN`).
    public static func kakaoLoginBinary() throws -> String { try require("KAKAO_LOGIN_BIN") }

    /// The repository's migrations folder (`KAKAO_LOGIN_MIGRATIONS`).
    public static func migrationsDirectory() throws -> String { try require("KAKAO_LOGIN_MIGRATIONS") }

    /// The PostgreSQL `bin` folder (`KAKAO_TEST_PG_BINDIR`).
    public static func postgresBinDirectory() throws -> String { try require("KAKAO_TEST_PG_BINDIR") }

    /// A folder for files worth keeping after a run (`KAKAO_TEST_ARTIFACTS`).
    public static func artifactsDirectory() throws -> String { try require("KAKAO_TEST_ARTIFACTS") }

    /// A quiet logger for tests (warnings and above to standard error).
    public static let logger: Logger = {
        var logger = Logger(label: "kakao-login.tests") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        logger.logLevel = .warning
        return logger
    }()
}

/// A failure of the test harness itself.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
