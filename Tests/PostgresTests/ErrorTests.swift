import Foundation
import TestSupport
import Testing

@testable import Postgres

/// ``PostgresError`` carries a stable code and SQLSTATE, and its description never repeats a
/// parameter value, a row value or a password.
@Suite("Errors and configuration", .timeLimit(.minutes(3)))
struct ErrorTests {
    private let secret = "s3cret-9f2c"

    @Test("a unique violation names SQLSTATE, constraint and table, not the value")
    func uniqueViolation() async throws {
        try await withPool(try await TestDatabase.shared.configuration(for: "errors")) { pool in
            try await pool.withConnection { conn in
                try await conn.execute("CREATE TEMP TABLE people (email text CONSTRAINT people_email_key UNIQUE)")
                try await conn.execute("INSERT INTO people VALUES (\(secret))")
                let error = try await #require(throws: PostgresError.self) {
                    try await conn.execute("INSERT INTO people VALUES (\(secret))")
                }
                #expect(error.code == .server)
                #expect(error.isUniqueViolation)
                #expect(error.sqlState == "23505")
                #expect(error.constraintName == "people_email_key")
                #expect(error.tableName == "people")
                #expect(error.description.contains("23505"))
                #expect(error.description.contains("unique_violation"))
                #expect(error.description.contains("people_email_key"))
                #expect(!error.description.contains(secret))
                #expect(!String(describing: error).contains(secret))
                #expect(error.file.hasSuffix("ErrorTests.swift"))
                // The server's own message has it, which is why it is kept apart.
                #expect(error.serverMessage != nil)
            }
        }
    }

    @Test("unavailable means the database could not be reached or sent us away, nothing else")
    func unavailable() {
        for code: PostgresError.Code in [.connectionFailed, .connectionLost, .connectionClosed, .poolTimeout, .poolClosed] {
            #expect(PostgresError(code, "").isUnavailable, "\(code)")
        }
        for state in ["08006", "08001", "57P01", "57P03", "53300"] {
            #expect(PostgresError(.server, "", sqlState: state).isUnavailable, "\(state)")
        }
        for state in ["23505", "23514", "40001", "57014", "42601"] {
            #expect(!PostgresError(.server, "", sqlState: state).isUnavailable, "\(state)")
        }
        #expect(!PostgresError(.decoding, "").isUnavailable)
    }

    @Test("invalid input never echoes the value; syntax errors keep their message")
    func invalidInput() async throws {
        try await withPool(try await TestDatabase.shared.configuration(for: "errors")) { pool in
            let cast = try await #require(throws: PostgresError.self) { try await pool.query("SELECT \(secret)::int") }
            #expect(cast.sqlState == "22P02")
            #expect(!cast.description.contains(secret))
            let syntax = try await #require(throws: PostgresError.self) { try await pool.query("SELEC 1") }
            #expect(syntax.sqlState == "42601")
            #expect(syntax.description.contains("syntax error"))
            let table = try await #require(throws: PostgresError.self) { try await pool.query("SELECT * FROM no_such_table") }
            #expect(table.sqlState == "42P01")
            #expect(table.description.contains("no_such_table"))
        }
    }

    @Test("libpq messages are scrubbed of passwords")
    func scrubbing() {
        let uri = "postgresql://kakao:\(secret)@db.example:5432/app?sslmode=require"
        #expect(
            ConnectionString.scrub("could not connect with \(secret) inside", connectionString: uri) == "could not connect with *** inside"
        )
        let encoded = "postgresql://kakao:\(secret)%40x@db/app"
        #expect(!ConnectionString.scrub("bad \(secret)@x", connectionString: encoded).contains(secret))
        let keyValue = "host=db user=kakao password='\(secret) with space' dbname=app"
        #expect(!ConnectionString.scrub("oops \(secret) with space", connectionString: keyValue).contains(secret))
        let malformed = "host=db password=\(secret) junk"
        let message = "missing \"=\" after \"junk\" in connection info string \"\(secret)\""
        let scrubbed = ConnectionString.scrub(message, connectionString: malformed, redactQuotedValues: true)
        #expect(!scrubbed.contains(secret))
        #expect(scrubbed.contains("missing \"=\""))
        #expect(ConnectionString.oneLine("a\n\tb\n") == "a b")
    }

    @Test("a malformed connection string fails at configuration time without echoing it")
    func malformedConfiguration() throws {
        for url in ["postgresql://u:\(secret)@[::1/db", "host=x password=\(secret) junk", "password='\(secret)"] {
            let error = try #require(throws: PostgresError.self) {
                try PostgresConfiguration.fromEnvironment(["DATABASE_URL": url])
            }
            #expect(error.code == .invalidConfiguration)
            #expect(!error.description.contains(secret))
        }
    }

    @Test("DATABASE_URL, DATABASE_URL_FILE, or neither")
    func fromEnvironment() throws {
        #expect(try PostgresConfiguration.fromEnvironment([:]).connectionString == nil)
        #expect(try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "host=/tmp"]).connectionString == "host=/tmp")
        let file = NSTemporaryDirectory() + "kl-url-\(UUID().uuidString)"
        try "host=/tmp dbname=x\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try PostgresConfiguration.fromEnvironment(["DATABASE_URL_FILE": file]).connectionString == "host=/tmp dbname=x")
        let both = try #require(throws: PostgresError.self) {
            try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "host=/tmp", "DATABASE_URL_FILE": file])
        }
        #expect(both.code == .invalidConfiguration)
        let unreadable = try #require(throws: PostgresError.self) {
            try PostgresConfiguration.fromEnvironment(["DATABASE_URL_FILE": "/nonexistent/kl-url"])
        }
        #expect(unreadable.code == .invalidConfiguration)
    }

    @Test("connection settings: the connection string wins over defaults; our limits go first in options")
    func connectParameters() throws {
        let configuration = PostgresConfiguration(
            connectionString: "host=/tmp application_name=mine options='-c search_path=app'",
            database: "other",
            statementTimeout: .milliseconds(1500),
            lockTimeout: .seconds(2)
        )
        let pairs = try ConnectionString.connectParameters(for: configuration)
        let keys = pairs.map(\.0)
        #expect(keys.firstIndex(of: "application_name")! < keys.firstIndex(of: "dbname")!)
        #expect(pairs.last { $0.0 == "dbname" }?.1 == "other")
        let options = try #require(pairs.first { $0.0 == "options" }?.1)
        #expect(options.contains("-c statement_timeout=1500"))
        #expect(options.contains("-c lock_timeout=2000"))
        #expect(options.hasSuffix("-c search_path=app"))
    }

    @Test("through a transaction pooler: no options of ours (only the connection string's), and DATABASE_POOLER sets it")
    func transactionPoolerParameters() throws {
        let pooled = PostgresConfiguration(connectionString: "host=/tmp", throughTransactionPooler: true)
        #expect(try ConnectionString.connectParameters(for: pooled).contains { $0.0 == "options" } == false)
        let own = pooled.with { $0.connectionString = "host=/tmp options='-c search_path=app'" }
        #expect(try ConnectionString.connectParameters(for: own).first { $0.0 == "options" }?.1 == "-c search_path=app")
        let fromEnvironment = try PostgresConfiguration.fromEnvironment([
            "DATABASE_URL": "host=/tmp", "DATABASE_POOLER": "pgbouncer-transaction",
        ])
        #expect(fromEnvironment.throughTransactionPooler)
        #expect(try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "host=/tmp"]).throughTransactionPooler == false)
        let bad = try #require(throws: PostgresError.self) {
            try PostgresConfiguration.fromEnvironment(["DATABASE_POOLER": "pgbouncer-statement"])
        }
        #expect(bad.code == .invalidConfiguration)
    }

    @Test("through a transaction pooler: every statement is unnamed (nothing prepared), and the results decode alike")
    func transactionPoolerStatements() async throws {
        let configuration = try await TestDatabase.shared.configuration(for: "errors")
        let pooled = configuration.with { $0.throughTransactionPooler = true }
        try await PostgresConnection.withConnection(configuration: pooled, logger: TestEnvironment.logger) { conn in
            for _ in 0..<2 {
                let row = try await conn.query("SELECT \(Int64(7)) AS n, now() AS t, '\\x0102'::bytea AS b").single()
                #expect(try row.decode(Int64.self, "n") == 7)
                #expect(try abs(row.decode(Date.self, "t").timeIntervalSinceNow) < 60)
                #expect(try row.decode([UInt8].self, "b") == [1, 2])
            }
            let prepared = try await conn.query("SELECT count(*) AS n FROM pg_prepared_statements").single()
            #expect(try prepared.decode(Int.self, "n") == 0)
        }
    }

    @Test("the connection string's own settings are honoured")
    func connectionStringWins() async throws {
        let configuration = try await TestDatabase.shared.configuration(for: "errors")
        let url = try TestEnvironment.databaseURL(database: try #require(configuration.database))
        let custom = PostgresConfiguration(connectionString: url + " application_name=from-url options='-c statement_timeout=4s'")
        try await PostgresConnection.withConnection(configuration: custom, logger: TestEnvironment.logger) { conn in
            let row = try await conn.query(
                "SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS st"
            ).single()
            #expect(try row.decode(String.self, "app") == "from-url")
            #expect(try row.decode(String.self, "st") == "4s")
        }
    }
}
