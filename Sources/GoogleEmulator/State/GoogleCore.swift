import EmulatorSupport
import Synchronization

/// Everything one running Google emulator shares between requests: the configuration, the
/// mutable state under one lock, the shared runtime (counters, faults, clock, elapsed times),
/// Google's own counters and the signing keys.
final class GoogleCore: Sendable {
    let configuration: GoogleEmulatorConfiguration
    let clientsByID: [String: GoogleEmulatorConfiguration.Client]
    let state: Mutex<GoogleState>
    let runtime: EmulatorRuntime
    let googleCounters = GoogleCounters()
    let keys: RS256KeySet
    private let syntheticSubs = EmulatorSequence()

    /// - Parameter configuration: already validated.
    init(configuration: GoogleEmulatorConfiguration, keys: RS256KeySet) {
        self.configuration = configuration
        clientsByID = Dictionary(configuration.clients.map { ($0.clientID, $0) }, uniquingKeysWith: { first, _ in first })
        state = Mutex(
            GoogleState(
                users: configuration.users,
                rules: .init(
                    codeLifetime: Double(configuration.codeLifetimeSeconds),
                    accessTokenLifetime: Double(configuration.accessTokenLifetimeSeconds),
                    refreshTokensPerClientMax: configuration.refreshTokensPerClientMax,
                    failedExchangeBurnsCode: configuration.uncertain.failedExchangeBurnsCode,
                    revokeTokensOnCodeReuse: configuration.uncertain.revokeTokensOnCodeReuse
                )
            )
        )
        runtime = EmulatorRuntime(
            paths: GoogleRoute.allCases.map(\.path),
            tokenPaths: GoogleRoute.tokenPaths,
            faults: configuration.faults,
            publicBaseURL: configuration.publicBaseURL,
            defaultPort: 9091
        )
        self.keys = keys
    }

    var counters: EmulatorCounters { runtime.counters }

    /// Counters since start.
    var stats: GoogleEmulatorStats { GoogleEmulatorStats(common: counters.snapshot, google: googleCounters) }

    /// The emulated time, Unix seconds.
    var now: Double { runtime.now }

    /// The issuer in URL form: discovery's `issuer` and the redirect's `iss`.
    var issuer: String { configuration.issuer ?? runtime.baseURL }

    /// The ID tokens' `iss`, in the configured form.
    var idTokenIssuer: String {
        switch configuration.idTokenIssuerForm {
        case .url: issuer
        case .withoutScheme:
            if issuer.hasPrefix("https://") {
                String(issuer.dropFirst(8))
            } else if issuer.hasPrefix("http://") {
                String(issuer.dropFirst(7))
            } else {
                issuer
            }
        }
    }

    /// A fresh 21-digit `sub` for a synthetic user.
    func makeSyntheticSub() -> String {
        let number = String(syntheticSubs.next())
        return "19" + String(repeating: "0", count: max(0, 19 - number.count)) + number
    }

    /// Whether this user has not yet granted this client every scope asked (a consent screen is due).
    func needsConsent(_ request: AuthorizationRequest, sub: String) -> Bool {
        let granted = state.withLock { $0.grantedScopes(sub: sub, clientID: request.client.clientID) }
        return !GoogleScopes.granted(request.scopes).isSubset(of: granted)
    }

    /// Issues a code for `sub`; `consentShown` decides the refresh token (offline only) and the
    /// redirect's `prompt`. With `include_granted_scopes=true` the grant covers earlier scopes too.
    func issueCode(for request: AuthorizationRequest, sub: String, consentShown: Bool) -> (code: String, scopes: Set<String>) {
        let code = "4/0A" + OpaqueTokenGenerator.make(length: 70)
        let now = self.now
        let scopes = state.withLock { state in
            let earlier = request.includeGrantedScopes ? state.grantedScopes(sub: sub, clientID: request.client.clientID) : []
            let scopes = GoogleScopes.granted(request.scopes).union(earlier)
            let record = CodeRecord(
                clientID: request.client.clientID,
                redirectURI: request.redirectURI,
                sub: sub,
                scopes: scopes,
                nonce: request.nonce,
                codeChallenge: request.codeChallenge,
                challengeMethod: request.challengeMethod,
                issuesRefreshToken: request.offline && consentShown,
                offline: request.offline,
                expiresAt: now + Double(configuration.codeLifetimeSeconds)
            )
            state.store(code: code, record, now: now)
            return scopes
        }
        counters.bump(\.codesIssued)
        return (code, scopes)
    }

    /// A code as if the user had answered the authorization request (`/_emulator/codes` and
    /// ``GoogleEmulator/mintCode(clientID:redirectURI:userID:scope:codeChallenge:codeChallengeMethod:nonce:accessType:prompt:)``),
    /// with the defaults of both (the first client and its first redirect URI, `openid email
    /// profile`, a fresh synthetic user): a consent screen is "shown" with `prompt=consent` or
    /// when the user has not granted every scope yet; `prompt=none` then fails as the authorize
    /// endpoint would.
    func mintCode(_ body: CodeRequestBody) -> Result<(code: String, sub: String), AuthorizationRequest.Failure> {
        let clientID = body.clientID ?? configuration.clients[0].clientID
        var parameters = AuthorizationRequest.Parameters(
            clientID: clientID,
            redirectURI: body.redirectURI ?? clientsByID[clientID]?.redirectURIs.first
        )
        parameters.scope = body.scope ?? "openid email profile"
        parameters.codeChallenge = body.codeChallenge
        parameters.codeChallengeMethod = body.codeChallengeMethod
        parameters.nonce = body.nonce
        parameters.accessType = body.accessType
        parameters.prompt = body.prompt
        parameters.includeGrantedScopes = body.includeGrantedScopes.map { $0 ? "true" : "false" }
        let request: AuthorizationRequest
        switch AuthorizationRequest.validate(parameters, clients: clientsByID) {
        case .success(let validated): request = validated
        case .failure(let failure): return .failure(failure)
        }
        if let sub = body.userID, !GoogleEmulatorConfiguration.User.isValidSub(sub) {
            return .failure(.invalidRequest("user_id must be 1 to 255 printable ASCII characters"))
        }
        let sub = body.userID ?? makeSyntheticSub()
        let consentShown = request.prompt.contains(.consent) || needsConsent(request, sub: sub)
        if request.prompt.contains(.none), consentShown {
            return .failure(.init(status: 400, error: "interaction_required", message: "prompt=none, but a consent screen is needed"))
        }
        return .success((issueCode(for: request, sub: sub, consentShown: consentShown).code, sub))
    }
}
