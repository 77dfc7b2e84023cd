import ArgumentParser
import Foundation
import GoogleEmulator
import Hummingbird
import KakaoEmulator
import Logging

/// `kakao-login emulator [--provider kakao|google]`: a local Kakao (kauth and kapi paths side by
/// side, port 9090) or a local Google (OAuth 2.0 + OpenID Connect, port 9091) for development,
/// tests, demos and benchmarks. With no options each has the fixed points of DESIGN.md.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run a local Kakao Login or Google sign-in emulator (fault injection, /_emulator/* controls).",
        discussion: """
            Flags change the first app (Kakao) or client (Google) of the configuration (the one from --config, or the default).
            The emulators' client secrets and admin key are test values, so they may be flags.
            """
    )

    /// Which provider to emulate.
    enum Provider: String, ExpressibleByArgument, CaseIterable {
        case kakao
        case google

        var defaultPort: Int { self == .kakao ? 9090 : 9091 }
    }

    @Option(help: "The provider: kakao (the default) or google.")
    var provider: Provider = .kakao

    @Option(help: "Port to listen on (0: any free port; default 9090 for kakao, 9091 for google).")
    var port: Int?

    @Option(help: "Address to listen on. /_emulator/* answers loopback peers only, whatever this is.")
    var host = "127.0.0.1"

    @Option(name: .customLong("config"), help: "A JSON configuration file (see docs/EMULATORS.md).")
    var configPath: String?

    @Option(name: .customLong("redirect-uri"), help: "Register one more redirect URI (repeatable).")
    var redirectURIs: [String] = []

    @Option(help: "Kakao: the first app's REST API key (client_id).")
    var restAPIKey: String?

    @Option(help: "Kakao: switch the client secret on, with this value. Google: the first client's secret.")
    var clientSecret: String?

    @Option(help: "Kakao: the first app's admin key (Authorization: KakaoAK …).")
    var adminKey: String?

    @Flag(help: "Kakao: switch OpenID Connect off for the first app.")
    var noOIDC = false

    @Option(
        help: "Kakao: comma-separated consent items of the first app; a trailing '!' marks one required (profile_nickname!,account_email)."
    )
    var consentItems: String?

    @Flag(help: "Kakao: switch the per-user token rate limit (KOE237) off.")
    var noRateLimit = false

    @Option(help: "Kakao: redirect_uri at the token endpoint, optional (an omitted one is accepted, the default) or required (KOE303).")
    var tokenRedirectURI: KakaoEmulatorConfiguration.TokenRedirectURI?

    @Option(help: "Kakao: the app's unlink callback URL, called on POST /_emulator/users/{id}/unlink as Kakao calls it.")
    var unlinkCallbackURL: String?

    @Option(help: "Google: the first client's id.")
    var clientID: String?

    @Option(help: "Google: the ID tokens' iss as the issuer URL (url, the default) or without the scheme (without_scheme).")
    var idTokenIssuerForm: GoogleEmulatorConfiguration.IssuerForm?

    @Option(help: "Authorization-code lifetime in seconds.")
    var codeLifetime: Int?

    @Option(help: "The issuer (default: the emulator's base URL, http://HOST:PORT).")
    var issuer: String?

    @Option(help: "An RSA private key (PEM file) to sign ID tokens with, for a kid that survives restarts.")
    var signingKey: String?

    @OptionGroup var faultOptions: EmulatorFaultOptions

    @OptionGroup var logging: LoggingOptions

    @OptionGroup var eventLoops: EventLoopOptions

    func validate() throws {
        _ = try logging.levelAndFormat()
        guard provider == .google else {
            guard clientID == nil, idTokenIssuerForm == nil else {
                throw ValidationError("--client-id and --id-token-issuer-form are Google flags")
            }
            return
        }
        let kakaoOnly = [
            restAPIKey.map { _ in "--rest-api-key" }, adminKey.map { _ in "--admin-key" }, noOIDC ? "--no-oidc" : nil,
            consentItems.map { _ in "--consent-items" }, noRateLimit ? "--no-rate-limit" : nil,
            tokenRedirectURI.map { _ in "--token-redirect-uri" }, unlinkCallbackURL.map { _ in "--unlink-callback-url" },
        ].compactMap { $0 }
        guard kakaoOnly.isEmpty else {
            throw ValidationError("\(kakaoOnly.joined(separator: ", ")): Kakao flags, not for --provider google")
        }
    }

    func run() async throws {
        eventLoops.apply()
        let (level, format) = try logging.levelAndFormat()
        let logger = LoggingBootstrap.logger("kakao-login.emulator", level: level, format: format)
        let signingKeyPEM = try signingKey.map { try String(contentsOfFile: $0, encoding: .utf8) }
        let port = self.port ?? provider.defaultPort
        switch provider {
        case .kakao:
            let emulator = try KakaoEmulator(configuration: try makeConfiguration(), signingKeyPEM: signingKeyPEM, logger: logger)
            try await emulator.buildApplication(host: host, port: port) { port in
                Self.logListening(logger, provider: .kakao, port: port, issuer: emulator.issuer)
            }.runService()
        case .google:
            let emulator = try GoogleEmulator(configuration: try makeGoogleConfiguration(), signingKeyPEM: signingKeyPEM, logger: logger)
            try await emulator.buildApplication(host: host, port: port) { port in
                Self.logListening(logger, provider: .google, port: port, issuer: emulator.issuer)
            }.runService()
        }
    }

    private static func logListening(_ logger: Logger, provider: Provider, port: Int, issuer: String) {
        logger.info(
            "emulator listening",
            metadata: ["emulator.provider": "\(provider.rawValue)", "emulator.port": "\(port)", "emulator.issuer": "\(issuer)"]
        )
    }

    /// Kakao: the file (or the defaults), then the flags on top.
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
        if let unlinkCallbackURL { configuration.unlinkCallbackURL = unlinkCallbackURL }
        if let issuer { configuration.issuer = issuer }
        configuration.faults = faultOptions.applied(to: configuration.faults)
        try configuration.validate()
        return configuration
    }
}

extension KakaoEmulatorConfiguration.TokenRedirectURI: ExpressibleByArgument {}
