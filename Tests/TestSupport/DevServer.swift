import Foundation
import LocalPostgres

#if canImport(Glibc)
import Glibc
#endif

/// A running `kakao-login dev` child process on free ports, with a dev folder of its own (under
/// `KAKAO_TEST_CLUSTERS`, whose clusters `scripts/test` stops on any exit, else `/tmp`) and so a
/// private PostgreSQL cluster of its own: as root it runs as `postgres`.
///
/// ``withServer(environment:arguments:_:)`` stops it on every path: SIGTERM and a wait (dev stops
/// its PostgreSQL server itself), then, if it is still there, SIGKILL and `pg_ctl stop` on its
/// cluster; then the folder is deleted.
public struct DevServer: Sendable {
    /// `http://127.0.0.1:<port>`: the API and the demo.
    public let apiURL: String
    /// `http://127.0.0.1:<port>`: the Kakao emulator.
    public let emulatorURL: String
    /// `http://127.0.0.1:<port>`: the Google emulator.
    public let googleEmulatorURL: String
    /// The dev folder (`--data-dir`).
    public let dataDirectory: String
    /// The child process.
    public let process: KakaoLoginChild

    /// The cluster's folder inside the dev folder.
    public var clusterDirectory: String { dataDirectory + "/postgres" }

    /// A libpq connection string for the dev database, over the cluster's socket.
    public var connectionString: String { "host=\(clusterDirectory) port=5432 user=postgres dbname=kakao_login" }

    /// Starts `kakao-login dev` and waits for its banner.
    ///
    /// The ports are picked free and handed to the child, which binds them seconds later (after
    /// initdb); another process's connection can take one in between. When dev ends saying a
    /// port is in use, it is started again on new ports (three tries in all).
    /// - Parameters:
    ///   - environment: added to this process's environment (`nil` removes a variable);
    ///     `DATABASE_URL` is removed unless given here, so dev starts its own cluster.
    ///   - arguments: more arguments after `dev --port … --emulator-port … --google-emulator-port … --data-dir …`.
    ///   - dataDirectory: the dev folder; `nil` makes a new one.
    public static func start(
        environment: [String: String?] = [:],
        arguments: [String] = [],
        dataDirectory: String? = nil
    ) async throws -> DevServer {
        let root = ProcessInfo.processInfo.environment["KAKAO_TEST_CLUSTERS"] ?? "/tmp"
        let folder = dataDirectory ?? "\(root)/kl-dev-\(UUID().uuidString.prefix(8).lowercased())"
        var childEnvironment: [String: String?] = [
            "DATABASE_URL": nil, "DATABASE_URL_FILE": nil, "PORT": nil,
            "PG_BINDIR": ProcessInfo.processInfo.environment["KAKAO_TEST_PG_BINDIR"],
        ]
        childEnvironment.merge(environment) { $1 }
        var attempt = 0
        while true {
            attempt += 1
            let server = try launch(arguments: arguments, dataDirectory: folder, environment: childEnvironment)
            do {
                try await server.waitForBanner()
                return server
            } catch {
                await server.terminate()
                if attempt < 3, server.process.hasExited, server.process.log.contains(" in use") { continue }
                // A folder this call made goes with it; a caller's folder stays the caller's.
                if dataDirectory == nil { try? FileManager.default.removeItem(atPath: folder) }
                throw error
            }
        }
    }

    /// Starts the child on three free ports, distinct from each other.
    private static func launch(
        arguments: [String],
        dataDirectory: String,
        environment: [String: String?]
    ) throws -> DevServer {
        var ports: [Int] = []
        while ports.count < 3 {
            let port = try FreePort.next()
            if !ports.contains(port) { ports.append(port) }
        }
        let process = try KakaoLoginChild(
            [
                "dev", "--port", String(ports[0]), "--emulator-port", String(ports[1]), "--google-emulator-port",
                String(ports[2]), "--data-dir", dataDirectory,
            ] + arguments,
            environment: environment
        )
        return DevServer(
            apiURL: "http://127.0.0.1:\(ports[0])",
            emulatorURL: "http://127.0.0.1:\(ports[1])",
            googleEmulatorURL: "http://127.0.0.1:\(ports[2])",
            dataDirectory: dataDirectory,
            process: process
        )
    }

    /// Runs `body` with a started server and stops it however `body` ends.
    public static func withServer<Result>(
        environment: [String: String?] = [:],
        arguments: [String] = [],
        _ body: (DevServer) async throws -> Result
    ) async throws -> Result {
        try await withStopping(try await start(environment: environment, arguments: arguments), stop: { await $0.stop() }, body)
    }

    /// Waits until the banner is printed (the API, the emulator and the worker run); throws
    /// with the output if the process ends first or stays silent (a safety net, not a timing
    /// assertion: the first run makes a cluster).
    private func waitForBanner() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(180)
        while !process.log.contains("  demo      \(apiURL)/") {
            if process.hasExited || clock.now > deadline {
                throw TestSupportError("kakao-login dev did not start; its output:\n\(process.log)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Stops the server with SIGTERM and returns its exit status; SIGKILL after `limit`, and
    /// then its PostgreSQL server is stopped here.
    @discardableResult
    public func terminate(limit: Duration = .seconds(60)) async -> Int32 {
        process.kill(SIGTERM)
        let status = (try? await process.waitForExit(limit: limit)) ?? 128 + SIGKILL
        if status == 128 + SIGKILL, let binDirectory = try? TestEnvironment.postgresBinDirectory(),
            let cluster = try? LocalPostgresCluster(directory: clusterDirectory, binDirectory: binDirectory)
        {
            try? await cluster.stop(mode: "immediate")
        }
        return status
    }

    /// ``terminate(limit:)``, then deletes the dev folder. Safe to call more than once.
    public func stop() async {
        await terminate()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// The PID in the cluster's `postmaster.pid`, while the file is there.
    public var postmasterPID: pid_t? {
        guard let text = try? String(contentsOfFile: clusterDirectory + "/data/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { pid_t($0) }
    }
}
