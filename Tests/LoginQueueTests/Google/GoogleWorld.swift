import Foundation
import GoogleAPI
import GoogleEmulator
import OAuthClientSupport
import Testing

@testable import LoginQueue

/// A ``QueueHarness`` world with Sign in with Google beside Kakao: a Google emulator on a free
/// port, a ``GoogleClient`` pointed at it, and the Google provider as the API and the worker
/// serve it (provider name `google_emulator`, as `kakao-login` names an emulator's identities).
struct GoogleWorld {
    static let redirectURI = "http://127.0.0.1:8080/auth/google/callback"
    static let clientID = "emulator-google-client-id.apps.googleusercontent.com"
    static let clientSecret = "emulator-google-client-secret"
    /// The emulator's named test users.
    static let alice = "108234567890123456789"
    static let bob = "109876543210987654321"

    let harness: QueueHarness
    let emulator: GoogleEmulator
    let provider: GoogleLoginProvider
    let attempts: LoginAttempts

    /// Runs `body` in a fresh world.
    /// - Parameters:
    ///   - clientSecret: the secret the service sends (the emulator accepts only its own).
    ///   - readTimeout: the Google client's read timeout.
    static func run(
        emulator configuration: GoogleEmulatorConfiguration = GoogleEmulatorConfiguration(),
        clientSecret: String = GoogleWorld.clientSecret,
        queue: LoginQueueConfiguration = LoginQueueConfiguration(),
        readTimeout: Duration = .seconds(5),
        _ body: (GoogleWorld) async throws -> Void
    ) async throws {
        try await QueueHarness.run(queue: queue) { harness in
            let emulator = try GoogleEmulator(configuration: configuration, logger: harness.logger)
            try await emulator.withRunningServer { baseURL in
                let google = try GoogleClientConfiguration(
                    clientID: clientID,
                    clientSecret: clientSecret,
                    issuerURL: baseURL,
                    connectTimeout: .seconds(2),
                    readTimeout: readTimeout
                )
                let httpClient = google.makeHTTPClient()
                do {
                    let client = GoogleClient(configuration: google, httpClient: httpClient, logger: harness.logger)
                    let provider = GoogleLoginProvider(client: client, name: "google_emulator")
                    let attempts = LoginAttempts(
                        pool: harness.pool,
                        sealing: harness.sealing,
                        provider: ConfiguredProvider(provider: provider, route: "google", redirectURIs: [redirectURI]),
                        configuration: harness.configuration,
                        logger: harness.logger
                    )
                    try await body(GoogleWorld(harness: harness, emulator: emulator, provider: provider, attempts: attempts))
                    await httpClient.shutdown()
                } catch {
                    await httpClient.shutdown()
                    throw error
                }
            }
        }
    }

    /// Google as the attempts and the enqueues serve it.
    var configuredProvider: ConfiguredProvider { attempts.configuredProvider }

    /// Runs a worker of both providers around `body`.
    func withWorker<T: Sendable>(
        _ configuration: WorkerConfiguration = QueueHarness.workerConfiguration(),
        _ body: () async throws -> T
    ) async throws -> T {
        try await harness.withWorker(configuration, providers: [harness.provider, provider], body)
    }

    /// Starts a Google attempt and has the emulator mint a code for it as if `userID` had
    /// chosen their account: the code carries the attempt's PKCE challenge and nonce (or
    /// `nonce` instead).
    func startAndMintCode(userID: String = GoogleWorld.alice, nonce: String? = nil) async throws -> (StartedAttempt, String) {
        let attempt = try await attempts.start(redirectURI: nil, clientKey: nil)
        let query = try #require(URLComponents(string: attempt.authorizeURL)?.queryItems)
        let value = { (name: String) in query.first { $0.name == name }?.value }
        #expect(value("code_challenge_method") == "S256")
        let code = try emulator.mintCode(
            redirectURI: value("redirect_uri"),
            userID: userID,
            scope: value("scope"),
            codeChallenge: value("code_challenge"),
            codeChallengeMethod: value("code_challenge_method"),
            nonce: nonce ?? value("nonce"),
            accessType: value("access_type")
        )
        return (attempt, code)
    }

    /// Enqueues `code` for `attempt`.
    func enqueue(_ attempt: StartedAttempt, code: String) async throws -> EnqueuedLogin {
        try await harness.jobs.enqueue(
            code: code,
            redirectURI: nil,
            reader: .attempt(attempt.reader, state: attempt.state),
            provider: configuredProvider
        )
    }

    /// Starts, mints and enqueues one login of `userID`.
    func enqueueLogin(userID: String = GoogleWorld.alice) async throws -> (StartedAttempt, EnqueuedLogin) {
        let (attempt, code) = try await startAndMintCode(userID: userID)
        return (attempt, try await enqueue(attempt, code: code))
    }

    /// Logs `userID` in with a worker running and returns the result.
    func login(userID: String = GoogleWorld.alice) async throws -> LoginStatus {
        let (attempt, enqueued) = try await enqueueLogin(userID: userID)
        return try await withWorker { try await harness.waitForResult(enqueued.loginID, reader: attempt.reader) }
    }
}
