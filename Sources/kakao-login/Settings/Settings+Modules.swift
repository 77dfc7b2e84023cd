import Accounts
import Crypto
import Foundation
import KakaoAPI
import Logging
import LoginAPI
import LoginQueue
import OAuthClientSupport
import Postgres
import ServiceLifecycle

/// The settings mapped onto each module's configuration, for every server command (`api`,
/// `worker`, `dev`). Each accessor refuses a missing required setting with a ``StartupError``
/// that says what to set; none echoes a secret.
extension Settings {
    /// Where the database is: `DATABASE_URL` (or libpq's `PG*` variables), checked by libpq's parser.
    /// With `DATABASE_POOLER=pgbouncer-transaction` statements are unnamed and no session
    /// settings are sent at connect (PgBouncer refuses the `options` parameter): set them on the role.
    func postgresConfiguration(applicationName: String) throws -> PostgresConfiguration {
        let configuration = PostgresConfiguration(
            connectionString: databaseURL,
            applicationName: applicationName,
            throughTransactionPooler: databasePooler == .pgbouncerTransaction
        )
        try configuration.validate()
        return configuration
    }

    /// Where the LISTEN connection goes (the API's `login_done`, the worker's `login_jobs`):
    /// `DATABASE_LISTEN_URL`, else `DATABASE_URL`. A LISTEN needs a session of its own, so behind
    /// PgBouncer in transaction mode this names PostgreSQL itself (or a session-mode pool), and
    /// the session settings are sent as usual.
    func listenerConfiguration(applicationName: String) throws -> PostgresConfiguration {
        guard let databaseListenURL else {
            return try postgresConfiguration(applicationName: applicationName)
        }
        let configuration = PostgresConfiguration(connectionString: databaseListenURL, applicationName: applicationName)
        try configuration.validate()
        return configuration
    }

    /// The pool of one process: `DATABASE_POOL_SIZE` connections (default 10). Behind PgBouncer
    /// in transaction mode its statements are unnamed (``postgresConfiguration(applicationName:)``
    /// says so to every connection).
    func poolOptions(name: String) -> PostgresPool.Options {
        PostgresPool.Options(maximumConnections: databasePoolSize ?? 10, name: name)
    }

    /// `KAKAO_REST_API_KEY`, `KAKAO_CLIENT_SECRET`, `KAKAO_ADMIN_KEY`, `KAKAO_AUTH_URL`, `KAKAO_API_URL`,
    /// and `KAKAO_NATIVE_APP_KEY` as a second accepted id_token audience (a native app's SDK logs in with it).
    /// A plain-http loopback URL is an emulator's, accepted only with `LOGIN_ALLOW_EMULATOR=true`.
    func kakaoClientConfiguration() throws -> KakaoClientConfiguration {
        guard let restAPIKey = kakaoRestAPIKey else {
            throw StartupError.missing("KAKAO_REST_API_KEY", "set the Kakao app's REST API key (kakao-login dev uses the emulator's)")
        }
        for (variable, url) in [("KAKAO_AUTH_URL", kakaoAuthURL), ("KAKAO_API_URL", kakaoAPIURL)]
        where Self.looksLikeEmulator(url) && !allowEmulator {
            throw StartupError(
                "\(variable) is plain http on loopback, an emulator's URL: set LOGIN_ALLOW_EMULATOR=true only for a test "
                    + "deployment (its logins are then provider kakao_emulator, never real Kakao identities)"
            )
        }
        return try KakaoClientConfiguration(
            restAPIKey: restAPIKey,
            clientSecret: kakaoClientSecret,
            adminKey: kakaoAdminKey,
            authURL: kakaoAuthURL?.absoluteString ?? "https://kauth.kakao.com",
            apiURL: kakaoAPIURL?.absoluteString ?? "https://kapi.kakao.com",
            additionalIDTokenAudiences: kakaoNativeAppKey.map { [$0] } ?? []
        )
    }

    /// Kakao as the login provider, with its HTTP client (a service to run before the provider
    /// is used and to shut down after): `KAKAO_SCOPES` (default `openid`, so every login is
    /// checked by its id_token) and `KAKAO_REDIRECT_URIS` on top of ``kakaoClientConfiguration()``.
    /// - Parameter requireRedirectURIs: the API needs them (it starts attempts); a worker does not.
    func kakaoLoginProvider(
        logger: Logger,
        requireRedirectURIs: Bool
    ) throws -> (provider: ConfiguredProvider, httpClient: HTTPClientService) {
        if requireRedirectURIs, kakaoRedirectURIs.isEmpty { throw Self.missingKakaoRedirectURIs }
        let kakao = try kakaoClientConfiguration()
        let httpClient = kakao.makeHTTPClient()
        let client = KakaoClient(configuration: kakao, httpClient: httpClient, logger: logger)
        let provider = KakaoLoginProvider(
            client: client,
            scopes: kakaoScopes.isEmpty ? ["openid"] : kakaoScopes,
            name: usesKakaoEmulator ? "kakao_emulator" : "kakao",
            appID: kakaoAppID
        )
        return (
            ConfiguredProvider(provider: provider, route: "kakao", redirectURIs: kakaoRedirectURIs),
            HTTPClientService(httpClient: httpClient)
        )
    }

    static let missingKakaoRedirectURIs = StartupError.missing(
        "KAKAO_REDIRECT_URIS",
        "set the comma-separated redirect URIs registered at Kakao (the first is the default)"
    )

    /// Every login provider this deployment serves, with the services their HTTP clients need:
    /// Kakao always (its settings are required), Google when `GOOGLE_CLIENT_ID` is set, in the
    /// order the API lists them.
    func loginProviders(logger: Logger, requireRedirectURIs: Bool) throws -> (providers: [ConfiguredProvider], services: [any Service]) {
        let kakao = try kakaoLoginProvider(logger: logger, requireRedirectURIs: requireRedirectURIs)
        guard googleEnabled else { return ([kakao.provider], [kakao.httpClient]) }
        let google = try googleLoginProvider(logger: logger, requireRedirectURIs: requireRedirectURIs)
        return ([kakao.provider, google.provider], [kakao.httpClient, google.httpClient])
    }

    /// Whether Kakao's URLs are an emulator's (plain http on loopback, allowed by
    /// `LOGIN_ALLOW_EMULATOR`): its users are stored as provider `kakao_emulator`, so an identity
    /// the emulator made up can never be a real Kakao user's.
    var usesKakaoEmulator: Bool { Self.looksLikeEmulator(kakaoAuthURL) || Self.looksLikeEmulator(kakaoAPIURL) }

    /// Plain http on a loopback host: what the emulators listen on.
    static func looksLikeEmulator(_ url: URL?) -> Bool {
        guard let url, url.scheme?.lowercased() == "http" else { return false }
        return url.host.map(SettingsReader.isLoopback) ?? false
    }

    /// `LOGIN_SEALING_KEYS` (`kid:base64key,...`, 32-byte keys).
    func sealingKeys() throws -> SealingKeys {
        guard let sealingKeySpecification else {
            throw StartupError.missing(
                "LOGIN_SEALING_KEYS",
                "set kid:base64key with a 32-byte key, e.g. k1:$(openssl rand -base64 32)"
            )
        }
        do {
            return try SealingKeys(parsing: sealingKeySpecification)
        } catch {
            throw StartupError("LOGIN_SEALING_KEYS is malformed (\(error)): expected kid:base64key,... with 32-byte keys")
        }
    }

    /// `LOGIN_JWT_KEYS` (a folder of ES256 PEM keys), `LOGIN_JWT_SIGNING_KID`, `LOGIN_JWT_ISSUER`,
    /// `LOGIN_JWT_AUDIENCE`.
    func accessTokenKeys() async throws -> AccessTokenKeys {
        guard let jwtKeysFolder else {
            throw StartupError.missing(
                "LOGIN_JWT_KEYS",
                "set a folder of ES256 private keys in PEM, named <kid>.pem (openssl ecparam -name prime256v1 -genkey -noout)"
            )
        }
        return try await AccessTokenKeys(
            keys: try AccessTokenKeys.loadKeys(fromFolder: jwtKeysFolder),
            signingKID: jwtSigningKID,
            issuer: jwtIssuer,
            audience: jwtAudience
        )
    }

    /// Sessions with the defaults of DESIGN.md. The refresh-token derivation key is derived
    /// from the sealing key (HMAC under a purpose of its own), so every process that shares
    /// `LOGIN_SEALING_KEYS` derives the same children and no further secret is needed; a
    /// sealing-key rotation only costs the reuse grace of rotations made just before it.
    func sessionConfiguration(sealing: SealingKeys) throws -> SessionConfiguration {
        let derived = sealing.fingerprints(of: "refresh-token-derivation", purpose: .sessions)[0]
        return try SessionConfiguration(derivationKey: SymmetricKey(data: derived))
    }

    /// `LOGIN_MAX_PENDING_ATTEMPTS_PER_IP`, `LOGIN_JOB_DEADLINE_SECONDS`, `ACCOUNT_DELETION_DEADLINE_SECONDS`.
    func loginQueueConfiguration() -> LoginQueueConfiguration {
        LoginQueueConfiguration(
            jobDeadline: jobDeadline,
            maxPendingAttemptsPerClient: maxPendingAttemptsPerIP,
            deletionDeadline: deletionDeadline
        )
    }

    /// True when every configured redirect URI is on loopback (`dev`, tests): the attempt cookie
    /// is then the only one without `Secure` (a browser would not send it back over plain HTTP).
    var redirectURIsAreAllLoopback: Bool {
        let uris = kakaoRedirectURIs + (googleClientID == nil ? [] : googleRedirectURIs)
        return !kakaoRedirectURIs.isEmpty && uris.allSatisfy { URL(string: $0)?.host.map(SettingsReader.isLoopback) ?? false }
    }

    /// The HTTP API's behaviour: `LOGIN_REQUIRE_STATE`, `CORS_ALLOWED_ORIGINS`, the cookie,
    /// `LOGIN_TRUSTED_PROXIES`, the rate limits and `LOGIN_QUEUE_MAX_DEPTH`.
    func loginAPIConfiguration() throws -> LoginAPIConfiguration {
        try LoginAPIConfiguration(
            requireState: requireState,
            corsAllowedOrigins: corsAllowedOrigins,
            attemptCookie: .init(sameSite: cookieSameSite, domain: cookieDomain, secure: !redirectURIsAreAllLoopback),
            trustedProxies: trustedProxies.compactMap { IPNetwork($0) },
            rateLimits: .init(
                start: rateLimitPerMinute.start,
                login: rateLimitPerMinute.login,
                poll: rateLimitPerMinute.poll,
                refresh: rateLimitPerMinute.refresh
            ),
            clientLimits: .init(
                ipv6PrefixLength: ipv6ClientPrefix,
                maxPendingAttempts: maxPendingAttempts,
                maxPollsPerClient: maxPollsPerClient,
                maxPollsPerLogin: maxPollsPerLogin
            ),
            demoPage: demoPage,
            queueMaxDepth: queueMaxDepth,
            kakaoUnlinkHook: kakaoUnlinkHook()
        )
    }

    /// `KAKAO_UNLINK_CALLBACK=true` turns on `/hooks/kakao/unlink`, which checks Kakao's calls
    /// against `KAKAO_ADMIN_KEY`.
    func kakaoUnlinkHook() throws -> LoginAPIConfiguration.KakaoUnlinkHook? {
        guard kakaoUnlinkCallback else { return nil }
        guard let kakaoAdminKey else {
            throw StartupError.missing("KAKAO_ADMIN_KEY", "KAKAO_UNLINK_CALLBACK=true checks Kakao's calls against the app's admin key")
        }
        return .init(adminKey: kakaoAdminKey, provider: usesKakaoEmulator ? "kakao_emulator" : "kakao")
    }
}
