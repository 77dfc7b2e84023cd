import EmulatorSupport
import Foundation
import Hummingbird
import Synchronization

/// Everything one running Kakao emulator shares between requests: the configuration, the
/// mutable state under one lock, the shared runtime (counters, faults, clock, elapsed times),
/// Kakao's own counters and the signing keys.
final class EmulatorCore: Sendable {
    let configuration: KakaoEmulatorConfiguration
    let appsByClientID: [String: KakaoEmulatorConfiguration.App]
    let appsByAdminKey: [String: KakaoEmulatorConfiguration.App]
    let state: Mutex<EmulatorState>
    let runtime: EmulatorRuntime
    let kakaoCounters = KakaoCounters()
    let signer: RS256KeySet
    private let syntheticUserIDs = EmulatorSequence()

    /// - Parameter configuration: already validated.
    init(configuration: KakaoEmulatorConfiguration, signer: RS256KeySet) {
        self.configuration = configuration
        appsByClientID = Dictionary(configuration.apps.map { ($0.restAPIKey, $0) }, uniquingKeysWith: { first, _ in first })
        appsByAdminKey = Dictionary(
            configuration.apps.compactMap { app in app.adminKey.map { ($0, app) } },
            uniquingKeysWith: { first, _ in first }
        )
        state = Mutex(
            EmulatorState(
                users: configuration.users,
                lifetimes: .init(
                    code: Double(configuration.codeLifetimeSeconds),
                    accessToken: Double(configuration.accessTokenLifetimeSeconds),
                    refreshToken: Double(configuration.refreshTokenLifetimeSeconds),
                    rotationThreshold: Double(configuration.refreshRotationThresholdSeconds),
                    failedExchangeBurnsCode: configuration.failedExchangeBurnsCode,
                    tokenRedirectURI: configuration.tokenRedirectURI,
                    rateLimit: configuration.rateLimit
                )
            )
        )
        runtime = EmulatorRuntime(
            // The user-unlink control route counted under its template, as the router reports it; the SDK's tokens.
            paths: EmulatorRoute.allCases.map(\.path) + [
                RouterPath(KakaoControlRoutes.unlinkUserPath).description, KakaoControlRoutes.sdkTokensPath,
            ],
            tokenPaths: [EmulatorRoute.token.path],
            faults: configuration.faults,
            publicBaseURL: configuration.publicBaseURL,
            defaultPort: 9090
        )
        self.signer = signer
    }

    /// The shared counters.
    var counters: EmulatorCounters { runtime.counters }

    /// Counters since start.
    var stats: KakaoEmulatorStats { KakaoEmulatorStats(common: counters.snapshot, kakao: kakaoCounters) }

    /// The emulated time, Unix seconds.
    var now: Double { runtime.now }

    /// The base URL written into discovery.
    var baseURL: String { runtime.baseURL }

    /// The `iss` of ID tokens.
    var issuer: String { configuration.issuer ?? baseURL }

    // MARK: codes

    /// A fresh id for a synthetic user (`/_emulator/codes` without `user_id`).
    func makeSyntheticUserID() -> Int64 {
        9_000_000_000 + syntheticUserIDs.next()
    }

    /// Issues a code as if `userID` had agreed to `grantedItems` for this authorization request.
    func issueCode(for request: AuthorizationRequest, userID: Int64, grantedItems: Set<String>) -> String {
        let code = OpaqueTokenGenerator.make(length: 64)
        let now = self.now
        let record = CodeRecord(
            appID: request.app.appID,
            clientID: request.app.restAPIKey,
            redirectURI: request.redirectURI,
            userID: userID,
            openid: request.openid,
            codeChallenge: request.codeChallenge,
            nonce: request.nonce,
            authTime: Int64(now),
            expiresAt: now + Double(configuration.codeLifetimeSeconds)
        )
        state.withLock { state in
            _ = state.users.user(userID)
            state.consent(appID: request.app.appID, userID: userID, scopes: grantedItems, now: now)
            state.storeCode(code, record)
        }
        counters.bump(\.codesIssued)
        return code
    }
}
