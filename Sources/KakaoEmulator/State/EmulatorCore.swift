import Foundation
import Synchronization

/// Everything one running emulator shares between requests: the configuration, the mutable
/// state under one lock, counters, faults, the signing keys and the emulated clock.
final class EmulatorCore: Sendable {
    let configuration: KakaoEmulatorConfiguration
    let appsByClientID: [String: KakaoEmulatorConfiguration.App]
    let appsByAdminKey: [String: KakaoEmulatorConfiguration.App]
    let state: Mutex<EmulatorState>
    let counters = EmulatorCounters()
    /// Time spent per user, for load tests (`GET /_emulator/elapsed`).
    let elapsed = ElapsedLedger()
    let faults: Mutex<KakaoEmulatorFaults>
    let signer: IDTokenSigner
    private let runtime = EmulatorRuntime()

    /// - Parameter configuration: already validated.
    init(configuration: KakaoEmulatorConfiguration, signer: IDTokenSigner) {
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
                    rateLimit: configuration.rateLimit
                )
            )
        )
        faults = Mutex(configuration.faults)
        self.signer = signer
    }

    // MARK: clock

    /// The emulated time, Unix seconds: the wall clock plus what tests advanced it by.
    var now: Double { Date().timeIntervalSince1970 + Double(runtime.clockOffsetSeconds.load(ordering: .relaxed)) }

    func advanceClock(seconds: Int) {
        runtime.clockOffsetSeconds.add(seconds, ordering: .relaxed)
    }

    // MARK: URLs

    /// Records where the server listens once it is bound.
    func serverDidBind(host: String, port: Int) {
        let visibleHost =
            switch host {
            case "0.0.0.0", "": "127.0.0.1"
            case "::": "[::1]"
            case _ where host.contains(":"): "[\(host)]"
            default: host
            }
        runtime.listeningBaseURL.withLock { $0 = "http://\(visibleHost):\(port)" }
    }

    /// The base URL written into discovery.
    var baseURL: String {
        configuration.publicBaseURL ?? runtime.listeningBaseURL.withLock { $0 } ?? "http://127.0.0.1:9090"
    }

    /// The `iss` of ID tokens.
    var issuer: String { configuration.issuer ?? baseURL }

    // MARK: codes

    /// A fresh id for a synthetic user (`/_emulator/codes` without `user_id`).
    func makeSyntheticUserID() -> Int64 {
        runtime.nextSyntheticUserID.add(1, ordering: .relaxed).newValue
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
            _ = state.user(userID)
            state.consent(appID: request.app.appID, userID: userID, scopes: grantedItems, now: now)
            state.storeCode(code, record)
        }
        counters.bump(\.codesIssued)
        return code
    }

    // MARK: faults

    /// The next error variant of the `errorRate` fault (round robin, so every variant shows up).
    func nextFaultRound() -> Int {
        runtime.faultRound.add(1, ordering: .relaxed).oldValue
    }
}

/// The emulator's small run-time values. (Kept apart from ``EmulatorCore`` so that class's
/// initialiser stores no defaulted `Atomic`: Swift 6.3.1's optimiser crashes on that in -O builds.)
final class EmulatorRuntime: Sendable {
    let clockOffsetSeconds = Atomic<Int>(0)
    let listeningBaseURL = Mutex<String?>(nil)
    let nextSyntheticUserID = Atomic<Int64>(9_000_000_000)
    let faultRound = Atomic<Int>(0)
}
