import Foundation
import NIOHTTP1
import Postgres
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kakao-login dev` as a newcomer runs it: one command starts everything, the banner says
/// where things are, a signal stops everything (the PostgreSQL server included), and the next
/// run reuses the keys and the database.
@Suite("dev: start, serve, stop")
struct DevLifecycleTests {
    @Test("serves the demo, the API, the emulator and metrics; SIGTERM stops everything; a second run reuses keys and data")
    func startServeStop() async throws {
        let dataDirectory =
            (ProcessInfo.processInfo.environment["KAKAO_TEST_CLUSTERS"] ?? "/tmp") + "/kl-dev-\(UUID().uuidString.prefix(8).lowercased())"
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let first = try await DevServer.start(dataDirectory: dataDirectory)
        var sealingKey = ""
        do {
            let banner = first.process.log
            for line in [
                "  demo      \(first.apiURL)/", "  API       \(first.apiURL)", "  emulator  \(first.emulatorURL)",
                "  database  psql \"host='\(first.clusterDirectory)' port=5432 user='postgres' dbname='kakao_login'\"",
                "  metrics   \(first.apiURL)/metrics", "  keys      \(dataDirectory)/keys",
            ] {
                #expect(banner.contains(line), "banner lacks \(line.debugDescription):\n\(banner)")
            }
            let demo = try await HTTPJSON.send(.GET, first.apiURL + "/")
            #expect(demo.status == 200)
            #expect(demo.text.contains("카카오 로그인"))
            // Ready once the API's LISTEN connection is up, which may come just after the banner
            // (the banner says the servers listen): a probe polls, and so does this.
            try await waitUntil("/readyz answers 200") {
                try await HTTPJSON.send(.GET, first.apiURL + "/readyz").status == 200
            }
            let emulator = try await HTTPJSON.send(.GET, first.emulatorURL + "/.well-known/openid-configuration")
            #expect(emulator.json["issuer"] as? String == first.emulatorURL)

            let login = try await LoginOverHTTP.run(on: first, userID: 3_141_592_653)
            #expect(login.final["status"] as? String == "succeeded")
            #expect(login.final["is_new_user"] as? Bool == true)
            // The emulator's identities are never Kakao's: a provider of their own.
            let providers = try await PostgresConnection.withConnection(
                configuration: PostgresConfiguration(
                    connectionString: "host='\(first.clusterDirectory)' port=5432 user='postgres' dbname='kakao_login'"
                ),
                logger: TestEnvironment.logger
            ) { connection in
                try await connection.query("SELECT DISTINCT provider FROM user_identities").map { try $0.decode(String.self, "provider") }
            }
            #expect(providers == ["kakao_emulator"])
            let metrics = try await HTTPJSON.send(.GET, first.apiURL + "/metrics")
            #expect(metrics.text.contains("login_jobs_total"), "the worker's metrics are served with the API's")

            for file in ["keys", "keys/jwt"] {
                #expect(try Self.mode(of: "\(dataDirectory)/\(file)") == 0o700)
            }
            // The socket's folder: the superuser needs no password there.
            #expect(try Self.mode(of: first.clusterDirectory) == 0o700)
            for file in ["keys/sealing-keys", "keys/jwt/dev.pem"] {
                #expect(try Self.mode(of: "\(dataDirectory)/\(file)") == 0o600)
            }
            sealingKey = try String(contentsOfFile: "\(dataDirectory)/keys/sealing-keys", encoding: .utf8)
            #expect(!banner.contains(sealingKey.trimmingCharacters(in: .newlines)))

            let postmaster = try #require(first.postmasterPID)
            #expect(ProcessLiveness.isRunning(postmaster))
            #expect(await first.terminate() == 0, "dev output:\n\(first.process.log)")
            try await Self.expectStopped(postmaster)
            #expect(first.postmasterPID == nil)
        } catch {
            await first.terminate()
            throw error
        }

        // SIGINT (Ctrl-C) this time; the same folder: the same keys, the user known already.
        let second = try await DevServer.start(dataDirectory: dataDirectory)
        do {
            #expect(try String(contentsOfFile: "\(dataDirectory)/keys/sealing-keys", encoding: .utf8) == sealingKey)
            let again = try await LoginOverHTTP.run(on: second, userID: 3_141_592_653)
            #expect(again.final["is_new_user"] as? Bool == false)
            let postmaster = try #require(second.postmasterPID)
            second.process.kill(SIGINT)
            #expect(try await second.process.waitForExit(limit: .seconds(60)) == 0, "dev output:\n\(second.process.log)")
            try await Self.expectStopped(postmaster)
        } catch {
            await second.terminate()
            throw error
        }
    }

    /// The server dev stopped is gone. pg_ctl returns once the server removed its pid file, a
    /// moment before the process itself has exited and been reaped: a short, bounded wait.
    private static func expectStopped(_ postmaster: pid_t) async throws {
        try await waitUntil("the PostgreSQL server stopped with dev", limit: .seconds(10)) { !ProcessLiveness.isRunning(postmaster) }
    }

    private static func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? 0) & 0o777
    }
}
