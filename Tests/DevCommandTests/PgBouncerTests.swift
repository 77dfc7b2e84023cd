import Foundation
import Postgres
import TestSupport
import Testing

/// kakao-login behind a real PgBouncer (Debian's, 1.18) in transaction mode, strict about
/// startup parameters: what `DATABASE_POOLER=pgbouncer-transaction` and `DATABASE_LISTEN_URL`
/// are for (README, "Deploying"; deploy/pgbouncer/pgbouncer.ini).
@Suite("PgBouncer in transaction mode")
struct PgBouncerTests {
    @Test(
        "through PgBouncer in transaction mode: migrate and a login (API and worker pools through it, LISTEN straight to PostgreSQL) succeed with DATABASE_POOLER; without it PgBouncer refuses the connection"
    )
    func loginThroughPgBouncer() async throws {
        let database = "t_pgbouncer_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try TestEnvironment.configuration()
        try await PostgresConnection.withConnection(configuration: admin, logger: TestEnvironment.logger) { connection in
            try await connection.execute("CREATE DATABASE \(identifier: database)")
        }
        let direct = try TestEnvironment.databaseURL(database: database)
        try await PgBouncer.withRunning(ignoreOptions: false) { bouncer in
            let pooled = bouncer.connectionString(database: database)
            let migrations = try TestEnvironment.migrationsDirectory()

            // Without the setting the session settings go as `options`, which PgBouncer 1.18 refuses.
            let refused = try await KakaoLoginProcess.run(
                ["migrate", "--migrations-dir", migrations],
                environment: ["DATABASE_URL": pooled, "DATABASE_POOLER": nil]
            )
            #expect(refused.status == 1)
            #expect(refused.standardError.contains("unsupported startup parameter: options"), "\(refused.standardError)")

            let migrated = try await KakaoLoginProcess.run(
                ["migrate", "--migrations-dir", migrations],
                environment: ["DATABASE_URL": pooled, "DATABASE_POOLER": "pgbouncer-transaction"]
            )
            #expect(migrated.status == 0, "\(migrated.standardError)")

            let environment: [String: String?] = [
                "DATABASE_URL": pooled, "DATABASE_POOLER": "pgbouncer-transaction", "DATABASE_LISTEN_URL": direct,
                "DATABASE_POOL_SIZE": "4",
            ]
            try await DevServer.withServer(environment: environment) { server in
                // Several logins, so pooled connections are reused across server connections.
                for user in Int64(9001)...Int64(9003) {
                    let login = try await LoginOverHTTP.run(on: server, userID: user)
                    #expect(login.final["status"] as? String == "succeeded", "\(login.final)")
                    #expect(!login.accessToken.isEmpty)
                }
                // The two listeners (the API's login_done, the worker's login_jobs) are sessions of
                // PostgreSQL itself, each LISTENing; the pooled connections came through PgBouncer.
                let listeners = try await PostgresConnection.withConnection(
                    configuration: admin,
                    logger: TestEnvironment.logger
                ) { connection in
                    try await connection.query(
                        """
                        SELECT application_name FROM pg_stat_activity
                        WHERE datname = \(database) AND application_name LIKE 'kakao-login % listener'
                        ORDER BY 1
                        """
                    ).map { try $0.decode(String.self, "application_name") }
                }
                #expect(listeners == ["kakao-login api listener", "kakao-login worker listener"], "server log: \(server.process.log)")
            }
            #expect(bouncer.log.contains("login attempt: db=\(database) user=kakao_test"), "\(bouncer.log)")
        }
    }
}
