import Foundation
import Postgres

/// One database per test suite on the shared server, so suites running in parallel cannot
/// see each other's rows. Created on first use (empty, or cloned from the migrated template),
/// then reused by every test of the suite in this process; the whole server is thrown away
/// at the end of the run.
public actor TestDatabase {
    public static let shared = TestDatabase()

    /// One creation per suite, shared by concurrent callers (the actor is re-entrant across
    /// the awaits inside, so the task itself is what is cached).
    private var created: [String: Task<PostgresConfiguration, any Error>] = [:]

    /// The configuration of the suite's database, creating it on first use.
    ///
    /// - Parameters:
    ///   - suite: a short name (letters, digits, `_`).
    ///   - fromTemplate: clone `KAKAO_TEST_TEMPLATE_DB` (the migrated schema) instead of
    ///     starting empty.
    public func configuration(for suite: String, fromTemplate: Bool = false) async throws -> PostgresConfiguration {
        if let creation = created[suite] { return try await creation.value }
        let creation = Task { try await Self.create(suite: suite, fromTemplate: fromTemplate) }
        created[suite] = creation
        return try await creation.value
    }

    private static func create(suite: String, fromTemplate: Bool) async throws -> PostgresConfiguration {
        let name = "t_\(suite)_\(ProcessInfo.processInfo.processIdentifier)".lowercased()
        let template = fromTemplate ? try TestEnvironment.templateDatabase() : nil
        try await PostgresConnection.withConnection(
            configuration: try TestEnvironment.configuration(),
            logger: TestEnvironment.logger
        ) { admin in
            try await admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
            if let template {
                try await admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: template)")
            } else {
                try await admin.execute("CREATE DATABASE \(identifier: name)")
            }
        }
        return try TestEnvironment.configuration(database: name)
    }

    /// A brand-new empty database for one test (for tests that need a database no other test
    /// touches, e.g. migrations).
    public func freshDatabase(prefix: String) async throws -> PostgresConfiguration {
        let name = "t_\(prefix)_\(UUID().uuidString.prefix(8))".lowercased()
        try await PostgresConnection.withConnection(
            configuration: try TestEnvironment.configuration(),
            logger: TestEnvironment.logger
        ) { admin in
            try await admin.execute("CREATE DATABASE \(identifier: name)")
        }
        return try TestEnvironment.configuration(database: name)
    }
}
