@_exported import EmulatorSupport
import Hummingbird
import Logging

/// A local Kakao Login: the kauth and kapi paths on one Hummingbird router, with Kakao's
/// answers, errors, lifetimes and limits, plus fault injection and `/_emulator/*` controls.
///
/// Run it in a test on an ephemeral port:
///
/// ```swift
/// let emulator = try KakaoEmulator(logger: logger)
/// try await emulator.withRunningServer { baseURL in
///     let code = try emulator.mintCode(userID: 42)
///     // POST baseURL + "/oauth/token" with grant_type=authorization_code&code=…
/// }
/// ```
///
/// or as a process: `try await emulator.buildApplication().runService()` (port 9090).
public struct KakaoEmulator: ProviderEmulator {
    let core: EmulatorCore
    /// The logger given to the HTTP server.
    public let logger: Logger
    /// The parts every emulator has.
    public let base: EmulatorBase

    /// - Parameters:
    ///   - configuration: apps, users, lifetimes, limits and faults (the fixed points by default).
    ///   - signingKeyPEM: an RSA private key for ID tokens; nil generates one (new `kid` per start).
    ///   - logger: the server's logger.
    /// - Throws: ``KakaoEmulatorError`` when the configuration or key is not usable.
    public init(
        configuration: KakaoEmulatorConfiguration = KakaoEmulatorConfiguration(),
        signingKeyPEM: String? = nil,
        logger: Logger
    ) throws(KakaoEmulatorError) {
        try configuration.validate()
        let keys = try RS256KeySet(privateKeyPEM: signingKeyPEM, keyIDStyle: .base64URL, rotation: .immediate)
        core = EmulatorCore(configuration: configuration, signer: keys)
        self.logger = logger
        base = EmulatorBase(runtime: core.runtime, keys: keys, serverName: "kakao-emulator", logger: logger)
    }

    /// The configuration in force.
    public var configuration: KakaoEmulatorConfiguration { core.configuration }

    /// The router with every path (see ``ProviderEmulator/buildRouter()``).
    public func buildRouter() -> Router<EmulatorRequestContext> {
        let answers = KakaoAnswers()
        let builder = EmulatorRouterBuilder(runtime: core.runtime, answers: answers)
        let authorize = AuthorizeRoutes(core: core)
        let token = TokenRoutes(core: core)
        let user = UserRoutes(core: core)
        let discovery = DiscoveryRoutes(core: core)
        let kakaoControl = KakaoControlRoutes(core: core)
        let control = ControlRoutes(runtime: core.runtime, keys: core.signer, answers: answers) { Int64($0) != nil }
        for route in EmulatorRoute.allCases {
            let handler: EmulatorRouterBuilder.Handler =
                switch route {
                case .authorize: authorize.authorize
                case .consent: authorize.consent
                case .accountLogout: authorize.logout
                case .token: token.token
                case .tokenInfo: token.tokenInfo
                case .userMe, .userMeByPost: user.userMe
                case .accessTokenInfo: user.accessTokenInfo
                case .logout: user.logout
                case .unlink: user.unlink
                case .oidcUserInfo, .oidcUserInfoByPost: user.oidcUserInfo
                case .openIDConfiguration: discovery.openIDConfiguration
                case .jwks: discovery.jwks
                }
            builder.add(route.path, method: route.method, handler)
        }
        builder.addControlRoutes(control, codes: kakaoControl.codes, stats: kakaoControl.stats)
        builder.addControlRoute(KakaoControlRoutes.unlinkUserPath, method: .post, kakaoControl.unlinkUser)
        builder.addControlRoute(KakaoControlRoutes.sdkTokensPath, method: .post, kakaoControl.sdkTokens)
        return builder.router
    }

    /// The `iss` of the ID tokens.
    public var issuer: String { core.issuer }

    /// Counters since start (the same numbers as `GET /_emulator/stats`).
    public var stats: KakaoEmulatorStats { core.stats }

    /// The time spent on each of these users' backend calls, milliseconds (as
    /// `GET /_emulator/elapsed`); users with no attributed call are absent.
    public func elapsedMilliseconds(userIDs: [Int64]) -> [Int64: Double] {
        let entries = core.runtime.elapsed.entries(for: userIDs.map(String.init))
        return Dictionary(uniqueKeysWithValues: entries.compactMap { id, entry in Int64(id).map { ($0, entry.milliseconds) } })
    }

    /// Issues a code as if the user had consented to everything asked (as `POST /_emulator/codes`).
    /// - Parameters:
    ///   - clientID: the app's REST API key (default: the first app).
    ///   - redirectURI: a registered redirect URI (default: the app's first).
    ///   - userID: any id; unknown ids become synthetic users; nil makes a fresh one.
    ///   - scope: consent items (space or comma separated; `openid` for an ID token); nil: all the app's items.
    ///   - codeChallenge: a PKCE S256 challenge.
    ///   - nonce: copied into the ID token.
    public func mintCode(
        clientID: String? = nil,
        redirectURI: String? = nil,
        userID: Int64? = nil,
        scope: String? = nil,
        codeChallenge: String? = nil,
        nonce: String? = nil
    ) throws(KakaoEmulatorError) -> String {
        let clientID = clientID ?? core.configuration.apps[0].restAPIKey
        let validated = AuthorizationRequest.validate(
            clientID: clientID,
            redirectURI: redirectURI ?? core.appsByClientID[clientID]?.redirectURIs.first,
            responseType: .none,
            scope: scope,
            state: nil,
            nonce: nonce,
            codeChallenge: codeChallenge,
            codeChallengeMethod: codeChallenge == nil ? nil : "S256",
            prompt: nil,
            apps: core.appsByClientID
        )
        switch validated {
        case .success(let request):
            return core.issueCode(
                for: request,
                userID: userID ?? core.makeSyntheticUserID(),
                grantedItems: Set(request.requestedItems.map(\.id))
            )
        case .failure(let failure):
            throw KakaoEmulatorError(.invalidConfiguration, "\(failure.code): \(failure.message)")
        }
    }

    /// What Kakao's SDK hands a native app after a login (as `POST /_emulator/sdk-tokens`).
    /// - Parameters:
    ///   - appKey: the app's native app key or REST API key (default: the first app's).
    ///   - userID: any id; nil makes a fresh synthetic user.
    ///   - scope: consent items (`openid` for an id_token); nil: every item, and `openid` when
    ///     the app's OIDC is on.
    ///   - nonce: copied into the id_token.
    /// - Returns: the token answer as Kakao's SDK reads it (`access_token`, `id_token`, …).
    public func sdkLogin(
        appKey: String? = nil,
        userID: Int64? = nil,
        scope: String? = nil,
        nonce: String? = nil
    ) throws(KakaoEmulatorError) -> SDKTokens {
        switch core.sdkLogin(appKey: appKey, userID: userID, scope: scope, nonce: nonce) {
        case .success(let json):
            guard let tokens = SDKTokens(json: json) else { throw KakaoEmulatorError(.invalidConfiguration, "unreadable token answer") }
            return tokens
        case .failure(let refusal):
            throw KakaoEmulatorError(.invalidConfiguration, "\(refusal.code): \(refusal.message)")
        }
    }
}
