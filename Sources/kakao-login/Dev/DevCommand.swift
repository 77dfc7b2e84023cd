import ArgumentParser
import EmulatorSupport
import Foundation
import LocalPostgres
import Logging
import Postgres
import ServiceLifecycle
import UnixSignals

/// `kakao-login dev`: everything on one machine with no set-up, in this one process — a private
/// PostgreSQL cluster (unless `DATABASE_URL` names a server), the migrations, the Kakao and
/// Google emulators, the API with the demo page, and a worker; throw-away keys kept in the dev folder. Ctrl-C or
/// SIGTERM stops it all, the PostgreSQL server last.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run everything here: a private PostgreSQL, the Kakao and Google emulators, the API with the demo page, and a worker.",
        discussion: """
            Open the demo at http://127.0.0.1:PORT/ (default 8080). The PostgreSQL cluster lives in \
            DATA_DIR/postgres and the generated sealing and ES256 signing keys in DATA_DIR/keys; both are \
            reused on the next run (delete the folder to start afresh). Every setting of the API and \
            the worker may still be given in the environment and wins over dev's default: \
            DATABASE_URL uses that server instead of a private cluster; KAKAO_REST_API_KEY and friends \
            with --no-emulator (automatic when KAKAO_AUTH_URL is not loopback) log in with the real \
            Kakao, whose app must list http://127.0.0.1:PORT/auth/kakao/callback as a redirect URI. \
            Likewise GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and a GOOGLE_ISSUER_URL that is not loopback \
            sign in with the real Google (redirect URI http://127.0.0.1:PORT/auth/google/callback).
            """
    )

    @Option(help: "The API's port on 127.0.0.1 (PORT; default 8080).")
    var port: Int?

    @Option(name: .customLong("emulator-port"), help: "The Kakao emulator's port on 127.0.0.1.")
    var emulatorPort = 9090

    @Option(name: .customLong("google-emulator-port"), help: "The Google emulator's port on 127.0.0.1.")
    var googleEmulatorPort = 9091

    @Option(name: .customLong("data-dir"), help: "The dev folder: the PostgreSQL cluster in DIR/postgres, the keys in DIR/keys.")
    var dataDirectory = ".dev"

    @Flag(
        name: .customLong("no-emulator"),
        help: "Log in with the real Kakao (KAKAO_REST_API_KEY and friends) and, when GOOGLE_CLIENT_ID is set, Google; no emulator."
    )
    var noEmulator = false

    @Flag(
        name: .customLong("allow-remote-database"),
        help: "Use a DATABASE_URL on another host (refused by default: the emulator signs anyone in as anyone)."
    )
    var allowRemoteDatabase = false

    @Option(help: "Most login jobs the worker runs at once.")
    var concurrency = 16

    @Option(
        name: .customLong("pg-bindir"),
        help: "PostgreSQL's bin folder (PG_BINDIR; default: the newest /usr/lib/postgresql/*/bin, else PATH)."
    )
    var pgBinDirectory: String?

    @Option(
        name: .customLong("migrations-dir"),
        help: "Folder of NNNN_name.sql files (default: $KAKAO_LOGIN_MIGRATIONS, else ./sql/migrations)."
    )
    var migrationsDirectory: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be a port number from 1 to 65535") }
        guard (1...65535).contains(emulatorPort) else { throw ValidationError("--emulator-port must be a port number from 1 to 65535") }
        guard (1...65535).contains(googleEmulatorPort), googleEmulatorPort != emulatorPort else {
            throw ValidationError("--google-emulator-port must be a port number from 1 to 65535, not the Kakao emulator's")
        }
        guard (1...10_000).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 10000") }
    }

    func run() async throws {
        try await CommandErrors.reporting("dev") {
            let shutdown = DevShutdown()
            let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    for await _ in signals { await shutdown.request() }
                }
                defer { tasks.cancelAll() }
                try await runEverything(shutdown: shutdown)
            }
        }
    }

    private func runEverything(shutdown: DevShutdown) async throws {
        let environment = DevEnvironment(base: ProcessInfo.processInfo.environment)
        let apiPort = try resolvedPort(environment.base)
        let useEmulator = environment.usesEmulator(disabledByFlag: noEmulator)
        let useGoogleEmulator = environment.usesGoogleEmulator(disabledByFlag: noEmulator)
        try Self.checkFree(apiPort, what: "the API", change: "--port \(apiPort + 1) (or PORT=\(apiPort + 1))")
        if useEmulator {
            try Self.checkFree(emulatorPort, what: "the Kakao emulator", change: "--emulator-port \(emulatorPort + 1)")
        }
        if useGoogleEmulator {
            try Self.checkFree(
                googleEmulatorPort,
                what: "the Google emulator",
                change: "--google-emulator-port \(googleEmulatorPort + 1)"
            )
        }

        if environment.namesDatabase, !allowRemoteDatabase {
            try Self.checkLocal(try PostgresConfiguration.fromEnvironment(environment.base))
        }
        let folder = DevFolder(path: dataDirectory)
        let cluster = environment.namesDatabase ? nil : try makeCluster(folder: folder, environment: environment.base)
        if cluster != nil || !environment.hasSealingKeys || !environment.hasJWTKeys { try folder.create() }
        let emulatorURL = useEmulator ? "http://127.0.0.1:\(emulatorPort)" : nil
        let googleEmulatorURL = useGoogleEmulator ? "http://127.0.0.1:\(googleEmulatorPort)" : nil
        let resolved = environment.resolved(
            port: apiPort,
            emulatorURL: emulatorURL,
            googleEmulatorURL: googleEmulatorURL,
            sealingKeysFile: environment.hasSealingKeys ? nil : try folder.sealingKeys(),
            jwtKeysDirectory: environment.hasJWTKeys ? nil : try folder.jwtKeys(),
            databaseURL: cluster?.cluster.connectionString(database: DevDatabase.name)
        )
        let (settings, problems) = Settings.load(environment: resolved, flags: logging.flags)
        guard problems.isEmpty else { throw StartupError.invalid(problems) }
        let logger = LoggingBootstrap.logger(
            "kakao-login.dev",
            level: settings.logLevel,
            format: settings.logFormat,
            metadataProvider: TracingBootstrap.loggingMetadata(settings: settings)
        )

        let banner = DevBanner(
            apiURL: "http://127.0.0.1:\(apiPort)",
            emulatorURL: emulatorURL,
            googleEmulatorURL: googleEmulatorURL,
            kakaoAuthURL: settings.kakaoAuthURL?.absoluteString ?? "https://kauth.kakao.com",
            googleIssuerURL: settings.googleClientID == nil ? nil : settings.googleIssuerURL?.absoluteString,
            clusterConnectionString: cluster?.cluster.connectionString(database: DevDatabase.name),
            clusterRelocation: cluster?.relocatedBecause,
            keysDirectory: environment.hasSealingKeys && environment.hasJWTKeys ? nil : folder.keysDirectory,
            workerConcurrency: concurrency
        )
        do {
            if let cluster { try await DevDatabase.start(cluster.cluster, logger: logger) }
            try shutdown.checkNotRequested()
            let database = try settings.postgresConfiguration(applicationName: "kakao-login dev")
            let migrations = MigrationsFolder.path(flag: migrationsDirectory, environment: environment.base)
            try await DevDatabase.migrate(database, directory: migrations, logger: logger)
            try shutdown.checkNotRequested()
            let group = try await serviceGroup(
                settings: settings,
                emulators: (kakao: useEmulator, google: useGoogleEmulator),
                readiness: DevReadiness(servers: 1 + (useEmulator ? 1 : 0) + (useGoogleEmulator ? 1 : 0), banner: banner.text),
                logger: logger
            )
            await shutdown.attach(group)
            try await group.run()
        } catch {
            await Self.stop(cluster?.cluster, logger: logger)
            throw error
        }
        await Self.stop(cluster?.cluster, logger: logger)
    }

    /// `--port`, else `PORT`, else 8080.
    private func resolvedPort(_ environment: [String: String]) throws -> Int {
        if let port { return port }
        guard let text = environment["PORT"], !text.isEmpty else { return 8080 }
        guard let value = Int(text), (1...65535).contains(value) else {
            throw StartupError("PORT must be a port number from 1 to 65535, got \(text.debugDescription)")
        }
        return value
    }

    private static func checkFree(_ port: Int, what: String, change: String) throws {
        guard LocalPort.isInUse(port) else { return }
        throw StartupError(
            "port \(port) on 127.0.0.1, for \(what), is in use (another kakao-login dev?): stop that program or pick another port with \(change)"
        )
    }

    /// Refuses a database on another host: dev migrates it and signs people in through the
    /// emulator, whose consent page lets anyone pick any user, so a shared or production database
    /// would get made-up identities (with sessions that work against its real API).
    private static func checkLocal(_ database: PostgresConfiguration) throws {
        guard try !database.isLocal() else { return }
        throw StartupError(
            "DATABASE_URL names a database on another host (\(try database.hosts().joined(separator: ", "))): dev signs anyone in "
                + "as anyone through the emulator and must not write to a shared database. Use a local one, or pass "
                + "--allow-remote-database if this one is yours to spoil"
        )
    }

    /// The private cluster, described (nothing runs yet); fails at once when PostgreSQL's
    /// server binaries are not installed.
    private func makeCluster(
        folder: DevFolder,
        environment: [String: String]
    ) throws -> (cluster: LocalPostgresCluster, relocatedBecause: String?) {
        let location = folder.clusterDirectory()
        do {
            let binDirectory = pgBinDirectory ?? environment["PG_BINDIR"].flatMap { $0.isEmpty ? nil : $0 }
            return (try LocalPostgresCluster(directory: location.directory, binDirectory: binDirectory), location.relocatedBecause)
        } catch let error as LocalPostgresError {
            throw StartupError("\(error.summary); or set DATABASE_URL to a PostgreSQL server of yours")
        }
    }

    /// Tracing (when on), the emulators (those that run), the API and a worker in one group, in that order: shutdown
    /// runs in reverse, so the worker finishes its jobs while the API and the emulators still run.
    private func serviceGroup(
        settings: Settings,
        emulators: (kakao: Bool, google: Bool),
        readiness: DevReadiness,
        logger: Logger
    ) async throws -> ServiceGroup {
        // Tracing first, so it stops last and sends the spans of the shutdown.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] =
            try TracingBootstrap.service(settings: settings, logger: logger).map { [.init(service: $0)] } ?? []
        if emulators.kakao {
            let emulator = try DevEmulator.makeKakao(settings: settings, logger: Logger(label: "kakao-login.emulator"))
            services.append(
                .init(service: emulator.buildApplication(host: "127.0.0.1", port: emulatorPort) { _ in readiness.serverListening() })
            )
        }
        if emulators.google {
            let emulator = try DevEmulator.makeGoogle(settings: settings, logger: Logger(label: "kakao-login.google-emulator"))
            services.append(
                .init(
                    service: emulator.buildApplication(host: "127.0.0.1", port: googleEmulatorPort) { _ in readiness.serverListening() }
                )
            )
        }
        services += try await APIServices.build(settings: settings, logger: Logger(label: "kakao-login.api")) { _ in
            readiness.serverListening()
        }
        services += try WorkerServices.build(
            settings: settings,
            concurrency: concurrency,
            metrics: nil,
            logger: Logger(label: "kakao-login.worker")
        )
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(30)
        return ServiceGroup(configuration: configuration)
    }

    /// Stops the private cluster, if there is one; reports a failure without throwing.
    private static func stop(_ cluster: LocalPostgresCluster?, logger: Logger) async {
        guard let cluster else { return }
        do {
            try await cluster.stop()
            logger.info("dev.cluster.stopped")
        } catch {
            logger.error("dev.cluster.stop_failed", metadata: ["error": "\(CommandErrors.describe(error))"])
        }
    }
}
