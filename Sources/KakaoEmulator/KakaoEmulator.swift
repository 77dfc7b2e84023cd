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
/// or as a process: `try await emulator.buildApplication(port: 9090).runService()`.
public struct KakaoEmulator: Sendable {
    let core: EmulatorCore
    /// The logger given to the HTTP server.
    public let logger: Logger

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
    }

    /// The configuration in force.
    public var configuration: KakaoEmulatorConfiguration { core.configuration }

    /// The router with every path; the middleware stamps `X-Emulator-Elapsed-Ms` and injects
    /// faults; `/_emulator/*` answers loopback peers only.
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
                case .codes: kakaoControl.codes
                case .stats: kakaoControl.stats
                case .elapsed: control.elapsed
                case .faults, .setFaults: control.faults
                case .clock: control.clock
                case .rotateKey: control.rotateKey
                }
            builder.add(route.path, method: route.method, handler)
        }
        return builder.router
    }

    /// A Hummingbird application serving ``buildRouter()`` on `host:port` (port 0: any free port).
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    public func buildApplication(
        host: String = "127.0.0.1",
        port: Int = 9090,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        EmulatorServer.application(
            router: buildRouter(),
            runtime: core.runtime,
            host: host,
            port: port,
            serverName: "kakao-emulator",
            logger: logger,
            onServerRunning: onServerRunning
        )
    }

    /// Runs the emulator on `host:port` (port 0 by default) for the duration of `body`, which
    /// gets the base URL (`http://127.0.0.1:PORT`); then shuts the server down gracefully.
    public func withRunningServer<T>(
        host: String = "127.0.0.1",
        port: Int = 0,
        _ body: (_ baseURL: String) async throws -> T
    ) async throws -> T {
        try await EmulatorServer.withRunning(
            runtime: core.runtime,
            host: host,
            port: port,
            logger: logger,
            makeApplication: { buildApplication(host: host, port: port, onServerRunning: $0) },
            body
        )
    }

    /// Where the server listens (or `publicBaseURL` when configured).
    public var baseURL: String { core.baseURL }

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

    /// The faults in force.
    public var faults: KakaoEmulatorFaults { core.runtime.currentFaults }

    /// Replaces the faults in force (as `POST /_emulator/faults`).
    public func setFaults(_ faults: KakaoEmulatorFaults) throws(KakaoEmulatorError) {
        try core.runtime.setFaults(faults)
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

    /// Moves the emulated clock (as `POST /_emulator/clock`); a negative value moves it back,
    /// which makes tokens issued afterwards already expired by the wall clock.
    public func advanceClock(bySeconds seconds: Int) {
        core.runtime.clock.advance(seconds: seconds)
    }

    /// Signs new ID tokens with a fresh key; the old one stays published (as `POST /_emulator/keys/rotate`).
    public func rotateSigningKey() throws {
        try core.signer.rotate()
    }
}
