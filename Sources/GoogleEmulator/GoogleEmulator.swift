@_exported import EmulatorSupport
import Hummingbird
import Logging

/// A local Sign in with Google: OAuth 2.0 and OpenID Connect on one Hummingbird router
/// (discovery, the account chooser, token, userinfo, JWKS, tokeninfo, revoke) with Google's
/// answers, errors and lifetimes, plus fault injection and `/_emulator/*` controls.
///
/// Run it in a test on an ephemeral port:
///
/// ```swift
/// let emulator = try GoogleEmulator(logger: logger)
/// try await emulator.withRunningServer { baseURL in
///     let code = try emulator.mintCode(userID: "108234567890123456789")
///     // POST baseURL + "/token" with grant_type=authorization_code&code=…&redirect_uri=…
/// }
/// ```
///
/// or as a process: `try await emulator.buildApplication().runService()` (port 9091).
public struct GoogleEmulator: ProviderEmulator {
    let core: GoogleCore
    /// The logger given to the HTTP server.
    public let logger: Logger
    /// The parts every emulator has.
    public let base: EmulatorBase

    /// - Parameters:
    ///   - configuration: clients, users, lifetimes, faults and the UNCERTAIN choices (the fixed points by default).
    ///   - signingKeyPEM: an RSA private key for ID tokens; nil generates one (new `kid` per start).
    ///   - logger: the server's logger.
    /// - Throws: ``GoogleEmulatorError`` when the configuration or key is not usable.
    public init(
        configuration: GoogleEmulatorConfiguration = GoogleEmulatorConfiguration(),
        signingKeyPEM: String? = nil,
        logger: Logger
    ) throws(GoogleEmulatorError) {
        try configuration.validate()
        let rotation: RS256KeySet.Rotation = configuration.uncertain.keyRotation == .immediate ? .immediate : .publishAhead
        let keys = try RS256KeySet(privateKeyPEM: signingKeyPEM, keyIDStyle: .hex40, rotation: rotation)
        core = GoogleCore(configuration: configuration, keys: keys)
        self.logger = logger
        base = EmulatorBase(runtime: core.runtime, keys: keys, serverName: "google-emulator", logger: logger)
    }

    /// The configuration in force.
    public var configuration: GoogleEmulatorConfiguration { core.configuration }

    /// The router with every path (see ``ProviderEmulator/buildRouter()``).
    public func buildRouter() -> Router<EmulatorRequestContext> {
        let answers = GoogleAnswers(quotaStatus: core.configuration.uncertain.quotaStatus)
        let builder = EmulatorRouterBuilder(runtime: core.runtime, answers: answers)
        let discovery = DiscoveryRoutes(core: core)
        let authorize = AuthorizeRoutes(core: core)
        let token = TokenRoutes(core: core)
        let userInfo = UserInfoRoutes(core: core)
        let tokenInfo = TokenInfoRoutes(core: core)
        let revoke = RevokeRoutes(core: core)
        let googleControl = GoogleControlRoutes(core: core)
        let control = ControlRoutes(runtime: core.runtime, keys: core.keys, answers: answers) {
            GoogleEmulatorConfiguration.User.isValidSub(String($0))
        }
        for route in GoogleRoute.allCases {
            let handler: EmulatorRouterBuilder.Handler =
                switch route {
                case .openIDConfiguration: discovery.openIDConfiguration
                case .certs: discovery.certs
                case .authorize, .authorizeLegacy: authorize.authorize
                case .approve: authorize.approve
                case .token, .tokenLegacy, .tokenV4: token.token
                case .userInfo, .userInfoByPost, .userInfoV3, .userInfoV3ByPost: userInfo.userInfo
                case .userInfoV2: userInfo.userInfoV2
                case .tokenInfo, .tokenInfoByPost, .tokenInfoV3, .tokenInfoV3ByPost: tokenInfo.tokenInfo
                case .revoke, .revokeLegacy, .revokeLegacyByPost: revoke.revoke
                }
            builder.add(route.path, method: route.method, handler)
        }
        builder.addControlRoutes(control, codes: googleControl.codes, stats: googleControl.stats)
        return builder.router
    }

    /// The issuer in URL form (discovery's `issuer`).
    public var issuer: String { core.issuer }

    /// The ID tokens' `iss`, in the configured form.
    public var idTokenIssuer: String { core.idTokenIssuer }

    /// Counters since start (the same numbers as `GET /_emulator/stats`).
    public var stats: GoogleEmulatorStats { core.stats }

    /// The time spent on each of these users' backend calls, milliseconds (as
    /// `GET /_emulator/elapsed`); users with no attributed call are absent.
    public func elapsedMilliseconds(userIDs: [String]) -> [String: Double] {
        core.runtime.elapsed.entries(for: userIDs).mapValues(\.milliseconds)
    }

    /// Issues a code as if the user had answered the authorization request (as `POST /_emulator/codes`).
    /// - Parameters:
    ///   - clientID: the client (default: the first).
    ///   - redirectURI: a registered redirect URI (default: the client's first).
    ///   - userID: a `sub`; unknown ones become synthetic users; nil makes a fresh one.
    ///   - scope: space-separated scopes (default `openid email profile`).
    ///   - codeChallenge: a PKCE challenge; `codeChallengeMethod` `S256` or `plain` (Google's default).
    ///   - nonce: copied into the ID token.
    ///   - accessType: `offline` asks for a refresh token (issued when a consent screen is due).
    ///   - prompt: `consent` forces the consent screen; `none` fails when one is due.
    public func mintCode(
        clientID: String? = nil,
        redirectURI: String? = nil,
        userID: String? = nil,
        scope: String? = nil,
        codeChallenge: String? = nil,
        codeChallengeMethod: String? = nil,
        nonce: String? = nil,
        accessType: String? = nil,
        prompt: String? = nil
    ) throws(GoogleEmulatorError) -> String {
        var body = CodeRequestBody()
        (body.clientID, body.redirectURI, body.userID, body.scope, body.nonce) = (clientID, redirectURI, userID, scope, nonce)
        (body.codeChallenge, body.codeChallengeMethod, body.accessType, body.prompt) = (
            codeChallenge, codeChallengeMethod, accessType, prompt
        )
        switch core.mintCode(body) {
        case .success(let (code, _)): return code
        case .failure(let failure): throw GoogleEmulatorError(.invalidConfiguration, "\(failure.error): \(failure.message)")
        }
    }
}
