import Foundation
import LocalPostgres

#if canImport(Glibc)
import Glibc
#endif

/// Debian's PgBouncer (`/usr/sbin/pgbouncer`, or `KAKAO_TEST_PGBOUNCER`) in transaction mode in
/// front of the shared test server's Unix socket, listening on a free port of 127.0.0.1, with
/// the settings of `deploy/pgbouncer/pgbouncer.ini` that matter (pool mode, ignored startup
/// parameters). As root it drops to the `postgres` user (`-u`): PgBouncer refuses to run as root.
public struct PgBouncer: Sendable {
    /// The port it listens on (127.0.0.1).
    public let port: Int
    /// The child process.
    public let process: ChildProcess
    /// Its folder: the configuration and the log.
    public let folder: String

    /// What it logged so far (`login attempt: db=… user=…` for every client connection).
    public var log: String { (try? String(contentsOfFile: folder + "/pgbouncer.log", encoding: .utf8)) ?? "" }

    /// A libpq connection string for `database` through PgBouncer.
    public func connectionString(database: String) -> String {
        "host=127.0.0.1 port=\(port) user=kakao_test dbname='\(database)'"
    }

    /// Starts PgBouncer, waits until it listens, runs `body`, and stops it however `body` ends.
    /// - Parameter ignoreOptions: list `options` in `ignore_startup_parameters` (as the example
    ///   does); `false` shows PgBouncer 1.18 refusing the parameter.
    public static func withRunning<Result>(
        ignoreOptions: Bool = true,
        _ body: (PgBouncer) async throws -> Result
    ) async throws -> Result {
        let bouncer = try await start(ignoreOptions: ignoreOptions)
        return try await withStopping(bouncer, stop: { await $0.stop() }, body)
    }

    private static func start(ignoreOptions: Bool) async throws -> PgBouncer {
        let socketFolder = try TestEnvironment.require("PGHOST")
        let binary = ProcessInfo.processInfo.environment["KAKAO_TEST_PGBOUNCER"] ?? "/usr/sbin/pgbouncer"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSupportError("\(binary) is missing: install Debian's pgbouncer package (.ci/run does)")
        }
        let port = try FreePort.next()
        let folder = NSTemporaryDirectory() + "kl-pgbouncer-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, 0o755)
        let configuration = """
            [databases]
            * = host=\(socketFolder) user=kakao_test
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = any
            pool_mode = transaction
            \(ignoreOptions ? "ignore_startup_parameters = options,extra_float_digits" : "")
            default_pool_size = 10
            server_reset_query =
            """
        try configuration.write(toFile: folder + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        chmod(folder + "/pgbouncer.ini", 0o644)
        let asServerUser = getuid() == 0 ? ["-u", "postgres"] : []
        let process = try ChildProcess(
            [binary] + asServerUser + [folder + "/pgbouncer.ini"],
            outputPath: folder + "/pgbouncer.log"
        )
        let bouncer = PgBouncer(port: port, process: process, folder: folder)
        do {
            try await waitUntil("PgBouncer listens on \(port)", limit: .seconds(20)) {
                if process.hasExited { throw TestSupportError("PgBouncer ended: \(bouncer.log)") }
                return bouncer.log.contains("listening on 127.0.0.1:\(port)")
            }
        } catch {
            await bouncer.stop()
            throw error
        }
        return bouncer
    }

    /// SIGTERM (PgBouncer's fast exit) and a wait, then removes the folder.
    public func stop() async {
        process.signal(SIGTERM)
        _ = try? await process.waitForExit(killingAfter: .seconds(10))
        try? FileManager.default.removeItem(atPath: folder)
    }
}
