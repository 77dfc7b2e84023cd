import ArgumentParser
import Foundation
import Hummingbird
import KakaoEmulator
import Logging

/// `kakao-login emulator`: a local Kakao (kauth and kapi paths side by side) for development,
/// tests, demos and benchmarks. With no options it has the fixed points of DESIGN.md.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run a local Kakao Login emulator (kauth + kapi paths, fault injection, /_emulator/* controls).",
        discussion: """
            Flags change the first app of the configuration (the one from --config, or the default app).
            The emulator's client secret and admin key are test values, so they may be flags.
            """
    )

    @Option(help: "Port to listen on (0: any free port).")
    var port = 9090

    @Option(help: "Address to listen on. /_emulator/* answers loopback peers only, whatever this is.")
    var host = "127.0.0.1"

    @Option(name: .customLong("config"), help: "A JSON configuration file (apps, users, lifetimes, rate_limit, faults).")
    var configPath: String?

    @Option(name: .customLong("redirect-uri"), help: "Register one more redirect URI (repeatable).")
    var redirectURIs: [String] = []

    @Option(help: "The first app's REST API key (client_id).")
    var restAPIKey: String?

    @Option(help: "Switch the client secret on, with this value.")
    var clientSecret: String?

    @Option(help: "The first app's admin key (Authorization: KakaoAK …).")
    var adminKey: String?

    @Flag(help: "Switch OpenID Connect off for the first app.")
    var noOIDC = false

    @Option(help: "Comma-separated consent items of the first app; a trailing '!' marks one required (profile_nickname!,account_email).")
    var consentItems: String?

    @Flag(help: "Switch Kakao's per-user token rate limit (KOE237) off.")
    var noRateLimit = false

    @Option(help: "Authorization-code lifetime in seconds.")
    var codeLifetime: Int?

    @Option(help: "redirect_uri at the token endpoint: optional (an omitted one is accepted, the default) or required (KOE303).")
    var tokenRedirectURI: KakaoEmulatorConfiguration.TokenRedirectURI?

    @Option(help: "The ID tokens' iss (default: the emulator's base URL, http://HOST:PORT).")
    var issuer: String?

    @Option(help: "An RSA private key (PEM file) to sign ID tokens with, for a kid that survives restarts.")
    var signingKey: String?

    @Option(help: "Fault: added latency in milliseconds.")
    var latencyMs: Int?

    @Option(help: "Fault: up to this many more milliseconds, uniformly drawn.")
    var jitterMs: Int?

    @Option(help: "Fault: share of answers that are 5xx / KOE003 / -9798 (0…1).")
    var errorRate: Double?

    @Option(help: "Fault: share of requests accepted and never answered (0…1).")
    var timeoutRate: Double?

    @Option(help: "Fault: share of requests whose work is done, then the connection dropped (0…1).")
    var dropRate: Double?

    @Option(help: "Fault: share of answers that are quota errors, -10 / KOE237 (0…1).")
    var quotaRate: Double?

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String = "info"

    @OptionGroup var eventLoops: EventLoopOptions

    func run() async throws {
        eventLoops.apply()
        var configuredLogger = Logger(label: "kakao-login.emulator")
        configuredLogger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let logger = configuredLogger
        let configuration = try makeConfiguration()
        let signingKeyPEM = try signingKey.map { try String(contentsOfFile: $0, encoding: .utf8) }
        let emulator = try KakaoEmulator(configuration: configuration, signingKeyPEM: signingKeyPEM, logger: logger)
        let application = emulator.buildApplication(host: host, port: port) { port in
            logger.info("emulator listening", metadata: ["emulator.port": "\(port)", "emulator.issuer": "\(emulator.issuer)"])
        }
        try await application.runService()
    }

    /// The file (or the defaults), then the flags on top.
    func makeConfiguration() throws -> KakaoEmulatorConfiguration {
        var configuration = try configPath.map { try KakaoEmulatorConfiguration.load(contentsOf: $0) } ?? KakaoEmulatorConfiguration()
        var app = configuration.apps[0]
        app.redirectURIs += redirectURIs.filter { !app.redirectURIs.contains($0) }
        if let restAPIKey { app.restAPIKey = restAPIKey }
        if let clientSecret { app.clientSecret = clientSecret }
        if let adminKey { app.adminKey = adminKey }
        if noOIDC { app.oidc = false }
        if let consentItems {
            app.consentItems = consentItems.split(separator: ",").map { item in
                item.hasSuffix("!")
                    ? .init(id: String(item.dropLast()), required: true)
                    : .init(id: String(item))
            }
        }
        configuration.apps[0] = app
        if noRateLimit { configuration.rateLimit.enabled = false }
        if let codeLifetime { configuration.codeLifetimeSeconds = codeLifetime }
        if let tokenRedirectURI { configuration.tokenRedirectURI = tokenRedirectURI }
        if let issuer { configuration.issuer = issuer }
        var faults = configuration.faults
        if let latencyMs { faults.latencyMs = latencyMs }
        if let jitterMs { faults.jitterMs = jitterMs }
        if let errorRate { faults.errorRate = errorRate }
        if let timeoutRate { faults.timeoutRate = timeoutRate }
        if let dropRate { faults.dropRate = dropRate }
        if let quotaRate { faults.quotaRate = quotaRate }
        configuration.faults = faults
        try configuration.validate()
        return configuration
    }
}

extension KakaoEmulatorConfiguration.TokenRedirectURI: ExpressibleByArgument {}
