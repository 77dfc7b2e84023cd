import ArgumentParser
import Logging

/// `kakao-login api`: the HTTP API. Settings come from the environment (secrets also from
/// `<NAME>_FILE`); the non-secret ones may be given as flags, which win.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Run the HTTP API (start, login, long-poll, tokens, /me, JWKS, health, metrics, demo page).",
        discussion: """
            Needs LOGIN_SEALING_KEYS, LOGIN_JWT_KEYS, KAKAO_REST_API_KEY and KAKAO_REDIRECT_URIS \
            (kakao-login dev passes generated ones). Connects like psql: DATABASE_URL, else libpq's \
            PG* variables. Stops gracefully on SIGTERM or SIGINT: the server drains, long-polls \
            answer at once, then the database connections close.
            """
    )

    @Option(help: "Address to listen on (HOST; default 0.0.0.0).")
    var host: String?

    @Option(help: "Port to listen on (PORT; default 8080; 0: any free port).")
    var port: Int?

    @Option(name: .customLong("redirect-uri"), help: "A redirect URI registered at Kakao (KAKAO_REDIRECT_URIS; repeatable).")
    var redirectURIs: [String] = []

    @OptionGroup var kakao: KakaoURLOptions

    @Option(name: .customLong("jwt-keys"), help: "Folder of ES256 signing keys, <kid>.pem (LOGIN_JWT_KEYS).")
    var jwtKeys: String?

    @Option(
        name: .customLong("cors-allowed-origin"),
        help: "An origin allowed to call with credentials (CORS_ALLOWED_ORIGINS; repeatable)."
    )
    var corsAllowedOrigins: [String] = []

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        try await ServerProcess.run("api", flags: flags) { settings, logger in
            let services = try await APIServices.build(settings: settings, logger: logger)
            logger.info("api.starting", metadata: ["http.host": "\(settings.host)", "http.port": "\(settings.port)"])
            return services
        }
    }

    /// The flags given, keyed by the variable each overrides.
    private var flags: [String: String] {
        var flags = logging.flags.merging(kakao.flags) { $1 }
        flags["HOST"] = host
        flags["PORT"] = port.map(String.init)
        flags["KAKAO_REDIRECT_URIS"] = redirectURIs.isEmpty ? nil : redirectURIs.joined(separator: ",")
        flags["LOGIN_JWT_KEYS"] = jwtKeys
        flags["CORS_ALLOWED_ORIGINS"] = corsAllowedOrigins.isEmpty ? nil : corsAllowedOrigins.joined(separator: ",")
        return flags
    }
}
