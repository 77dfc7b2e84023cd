import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private PostgreSQL cluster in a folder: `initdb`, then `pg_ctl` start, stop and restart,
/// listening only on a Unix socket inside that folder (no TCP port).
///
/// For tests (a server a test may restart without disturbing anyone) and for
/// `kakao-login dev`. Commands run as ``ChildProcess``es. Run as root, it runs the server
/// binaries as the `postgres` user (`runuser -u postgres --`; `initdb` and `postgres` refuse
/// root) and gives that user the folder. Binaries come from ``binDirectory``, else the newest `/usr/lib/postgresql/*/bin`,
/// else `PATH`.
///
/// ```swift
/// let cluster = try LocalPostgresCluster(directory: "/tmp/pg-test")
/// try await cluster.start()   // initdb on first use
/// let pool = PostgresPool(configuration: .init(connectionString: cluster.connectionString()), logger: logger)
/// ```
public struct LocalPostgresCluster: Sendable {
    /// The cluster folder: `data/` (PGDATA), the socket, `postgres.log`.
    public let directory: String
    /// Where `initdb`, `pg_ctl` and `postgres` are.
    public let binDirectory: String
    /// The database superuser `initdb` creates. Default `"postgres"`.
    public let superuser: String
    /// The port, which here only names the socket file (`.s.PGSQL.<port>`). Default 5432.
    public let port: Int
    /// Extra `-c name=value` server settings (the shipped defaults otherwise: fsync and
    /// synchronous_commit on).
    public let settings: [String: String]
    /// `runuser -u <user> --` in front of server commands when running as root.
    let serverUser: String?
    let logger: Logger

    /// The PGDATA folder.
    public var dataDirectory: String { directory + "/data" }
    /// The client authentication file (`pg_hba.conf`).
    public var hbaFile: String { dataDirectory + "/pg_hba.conf" }
    /// The server log.
    public var logFile: String { directory + "/postgres.log" }

    /// Describes a cluster; nothing runs until ``start()``.
    ///
    /// - Parameters:
    ///   - directory: the cluster folder, created if missing. Keep the path short: a Unix
    ///     socket path is limited to about 100 bytes.
    ///   - binDirectory: the PostgreSQL `bin` folder; `nil` searches (see the type's docs).
    ///   - superuser: the superuser role `initdb` creates (trust authentication on the socket).
    ///   - port: names the socket file.
    ///   - settings: extra server settings, e.g. `["max_connections": "200"]`.
    public init(
        directory: String,
        binDirectory: String? = nil,
        superuser: String = "postgres",
        port: Int = 5432,
        settings: [String: String] = [:],
        logger: Logger = Logger(label: "kakao-login.postgres-cluster", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.directory = (directory as NSString).standardizingPath
        self.superuser = superuser
        self.port = port
        self.settings = settings
        self.logger = logger
        self.binDirectory = try binDirectory ?? Self.findBinDirectory()
        for tool in ["initdb", "pg_ctl", "postgres"] {
            guard FileManager.default.isExecutableFile(atPath: self.binDirectory + "/" + tool) else {
                throw LocalPostgresError(
                    .clusterFailed,
                    "PostgreSQL server binaries not found: \(self.binDirectory)/\(tool) is missing "
                        + "(install the 'postgresql' package or pass its bin folder)"
                )
            }
        }
        if getuid() == 0 {
            guard getpwnam("postgres") != nil else {
                throw LocalPostgresError(
                    .clusterFailed,
                    "running as root needs a 'postgres' user to run the server (initdb refuses root)"
                )
            }
            serverUser = "postgres"
        } else {
            serverUser = nil
        }
        let socketPath = self.directory + "/.s.PGSQL.\(port)"
        guard socketPath.utf8.count < 100 else {
            throw LocalPostgresError(.clusterFailed, "the cluster folder path is too long for a Unix socket (\(socketPath))")
        }
    }

    /// The newest `/usr/lib/postgresql/<version>/bin` with `initdb`, else the folder of
    /// `pg_ctl` on `PATH`.
    static func findBinDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let candidates = versions.compactMap { Int($0) }.sorted(by: >).map { "\(root)/\($0)/bin" }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }) {
            return found
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/initdb") {
            return String(folder)
        }
        throw LocalPostgresError(
            .clusterFailed,
            "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or PATH "
                + "(install the 'postgresql' package)"
        )
    }

    /// A libpq connection string for a database of this cluster, over its socket.
    public func connectionString(database: String = "postgres", user: String? = nil) -> String {
        "host=\(quote(directory)) port=\(port) user=\(quote(user ?? superuser)) dbname=\(quote(database))"
    }

    private func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// Whether `initdb` has run in this folder.
    public var isInitialized: Bool {
        FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION")
    }

    /// Runs `initdb` (UTF-8, C.UTF-8 locale, trust authentication on the socket only) unless
    /// the folder already holds a cluster.
    ///
    /// The folder is its owner's only (mode 700), whether new or not: it holds the socket, on
    /// which the superuser needs no password, so no other local user may reach it.
    public func initialize() async throws {
        if isInitialized {
            try await makePrivate()
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw LocalPostgresError(.clusterFailed, "cannot create the cluster folder \(directory)")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw LocalPostgresError(.clusterFailed, "the cluster folder \(directory) is not writable")
        }
        if let serverUser {
            try await run(["/bin/chown", serverUser, directory], asServerUser: false, what: "chown the cluster folder")
        }
        try await makePrivate()
        try await run(
            [
                binDirectory + "/initdb", "-D", dataDirectory, "-U", superuser, "--auth=trust", "--encoding=UTF8",
                "--locale=C.UTF-8", "--no-sync",
            ],
            asServerUser: true,
            what: "initdb"
        )
    }

    /// Mode 700 on the cluster folder (as the server's user when there is one: it owns it).
    private func makePrivate() async throws {
        if serverUser != nil {
            try await run(["/bin/chmod", "700", directory], asServerUser: false, what: "chmod the cluster folder")
        } else {
            do {
                try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
            } catch {
                throw LocalPostgresError(.clusterFailed, "cannot make the cluster folder \(directory) private (mode 700)")
            }
        }
    }

    /// Whether the server is running (`pg_ctl status`).
    public func isRunning() async -> Bool {
        guard isInitialized else { return false }
        return (try? await run([binDirectory + "/pg_ctl", "-D", dataDirectory, "status"], asServerUser: true, what: "status"))
            != nil
    }

    /// Initializes if needed, then starts the server and waits until it accepts connections.
    public func start() async throws {
        try await initialize()
        if await isRunning() { return }
        var options = "-k \(directory) -c listen_addresses= -p \(port)"
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            options += " -c \(name)=\(value)"
        }
        do {
            try await run(
                [binDirectory + "/pg_ctl", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-o", options, "start"],
                asServerUser: true,
                what: "pg_ctl start"
            )
        } catch let error as LocalPostgresError {
            throw LocalPostgresError(.clusterFailed, "\(error.summary); server log: \(logTail())")
        }
    }

    /// Stops the server. `fast` (the default) ends sessions and shuts down cleanly;
    /// `immediate` simulates a crash.
    public func stop(mode: String = "fast") async throws {
        guard await isRunning() else { return }
        try await run(
            [binDirectory + "/pg_ctl", "-D", dataDirectory, "-m", mode, "-w", "-t", "60", "stop"],
            asServerUser: true,
            what: "pg_ctl stop"
        )
    }

    /// Makes the server re-read its configuration files (`pg_ctl reload`).
    public func reload() async throws {
        try await run([binDirectory + "/pg_ctl", "-D", dataDirectory, "reload"], asServerUser: true, what: "pg_ctl reload")
    }

    /// Stops and starts the server again (every session is ended).
    public func restart(mode: String = "fast") async throws {
        try await stop(mode: mode)
        try await start()
    }

    /// Stops the server if it runs and deletes the folder.
    public func destroy() async throws {
        try? await stop(mode: "immediate")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The last lines of the server log, on one line, for error messages.
    public func logTail(lines: Int = 5) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n").suffix(lines).joined(separator: " | ")
    }

    // MARK: processes

    @discardableResult
    private func run(_ arguments: [String], asServerUser: Bool, what: String) async throws -> String {
        var command = arguments
        if asServerUser, let serverUser {
            let runuser = FileManager.default.isExecutableFile(atPath: "/sbin/runuser") ? "/sbin/runuser" : "/usr/sbin/runuser"
            command = [runuser, "-u", serverUser, "--"] + arguments
        }
        // Run from "/", which the server user can always enter.
        command = ["/usr/bin/env", "-C", "/"] + command
        let outputPath = NSTemporaryDirectory() + "kakao-login-cluster-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = try await ChildProcess.run(command, environment: ["LC_ALL": "C.UTF-8"], outputPath: outputPath)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let tail = text.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw LocalPostgresError(.clusterFailed, "\(what) failed (exit \(status)): \(tail)")
        }
        logger.debug("db.cluster.command", metadata: ["db.cluster.command": "\(what)"])
        return text
    }
}
