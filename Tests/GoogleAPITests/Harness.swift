import Crypto
import Foundation
import GoogleAPI
import GoogleEmulator
import InMemoryLogging
import Logging
import OAuthClientSupport
import Testing
import _CryptoExtras

/// A running Google emulator (port 0) and a client pointed at it, both logging into one in-memory
/// handler so tests can look for what must never be logged.
struct Harness {
    let emulator: GoogleEmulator
    let client: GoogleClient
    let baseURL: String
    let logs: InMemoryLogHandler

    static let clientID = "emulator-google-client-id.apps.googleusercontent.com"
    static let clientSecret = "emulator-google-client-secret"
    static let redirectURI = "http://127.0.0.1:8080/auth/google/callback"
    static let alice = "108234567890123456789"
    static let bob = "109876543210987654321"
    static let carol = "110112233445566778899"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    /// The S256 challenge of ``verifier``.
    static var challenge: String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Runs `body` with an emulator of `configuration` and a client of the default client id,
    /// `clientSecret` and the emulator's base URL as issuer.
    static func run(
        emulator configuration: GoogleEmulatorConfiguration = GoogleEmulatorConfiguration(),
        clientSecret: String? = Harness.clientSecret,
        acceptedIssuers: [String]? = nil,
        jwksMinimumRefetchInterval: Duration = .seconds(5),
        _ body: (Harness) async throws -> Void
    ) async throws {
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "google-tests", factory: { _ in logs })
        logger.logLevel = .trace
        let emulator = try GoogleEmulator(configuration: configuration, signingKeyPEM: testSigningKeyPEM, logger: logger)
        try await emulator.withRunningServer { baseURL in
            let clientConfiguration = try GoogleClientConfiguration(
                clientID: clientID,
                clientSecret: clientSecret,
                issuerURL: baseURL,
                acceptedIssuers: acceptedIssuers,
                requestTimeout: .seconds(20),
                maxConnectionsPerHost: 16,
                jwksMinimumRefetchInterval: jwksMinimumRefetchInterval
            )
            let httpClient = clientConfiguration.makeHTTPClient()
            let client = GoogleClient(configuration: clientConfiguration, httpClient: httpClient, logger: logger)
            do {
                try await body(Harness(emulator: emulator, client: client, baseURL: baseURL, logs: logs))
                await httpClient.shutdown()
            } catch {
                await httpClient.shutdown()
                throw error
            }
        }
    }

    /// Runs `body` with one more client of `configuration`, shut down afterwards.
    static func withClient<T>(_ configuration: GoogleClientConfiguration, _ body: (GoogleClient) async throws -> T) async throws -> T {
        let logger = Logger(label: "google-tests.extra-client")
        let httpClient = configuration.makeHTTPClient()
        do {
            let result = try await body(GoogleClient(configuration: configuration, httpClient: httpClient, logger: logger))
            await httpClient.shutdown()
            return result
        } catch {
            await httpClient.shutdown()
            throw error
        }
    }

    /// A configuration for this emulator with the given settings.
    func configuration(
        clientID: String = Harness.clientID,
        clientSecret: String? = Harness.clientSecret,
        readTimeout: Duration = .seconds(10),
        jwksMinimumRefetchInterval: Duration = .seconds(5),
        maxResponseBytes: Int = 256 * 1024
    ) throws -> GoogleClientConfiguration {
        try GoogleClientConfiguration(
            clientID: clientID,
            clientSecret: clientSecret,
            issuerURL: baseURL,
            readTimeout: readTimeout,
            maxResponseBytes: maxResponseBytes,
            jwksMinimumRefetchInterval: jwksMinimumRefetchInterval
        )
    }

    /// A code for `user` as if it had consented (S256 challenge of ``verifier`` unless `pkce` is false).
    func code(
        user: String = Harness.alice,
        scope: String = "openid email profile",
        nonce: String? = "nonce-1",
        pkce: Bool = true,
        accessType: String? = nil,
        clientID: String? = nil
    ) throws -> String {
        try emulator.mintCode(
            clientID: clientID,
            userID: user,
            scope: scope,
            codeChallenge: pkce ? Harness.challenge : nil,
            codeChallengeMethod: pkce ? "S256" : nil,
            nonce: nonce,
            accessType: accessType
        )
    }

    /// Exchanges a fresh code of `user` (with PKCE) and returns the tokens.
    func tokens(user: String = Harness.alice, nonce: String? = "nonce-1", accessType: String? = nil) async throws -> GoogleTokenResponse {
        try await client.exchangeCode(
            try code(user: user, nonce: nonce, accessType: accessType),
            redirectURI: Harness.redirectURI,
            codeVerifier: Harness.verifier
        )
    }

    /// Expects `operation` to throw a ``GoogleAPIError`` and returns it.
    func expectError<T>(_ operation: () async throws -> T) async -> GoogleAPIError? {
        await Harness.expectError(operation)
    }

    static func expectError<T>(_ operation: () async throws -> T) async -> GoogleAPIError? {
        do {
            _ = try await operation()
            Issue.record("no error")
            return nil
        } catch let error as GoogleAPIError {
            return error
        } catch {
            Issue.record("not a GoogleAPIError: \(error)")
            return nil
        }
    }
}

/// One RSA key for every emulator of the test run (generating one per test is slow on 2 cores).
let testSigningKeyPEM: String = {
    do {
        return try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
    } catch {
        fatalError("RSA key generation failed: \(error)")
    }
}()

/// Base64url without padding, for hand-made JWT segments.
func base64URL(_ text: String) -> String {
    Data(text.utf8).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}
