import InMemoryLogging
import KakaoAPI
import KakaoEmulator
import Logging
import OAuthClientSupport
import Testing
import _CryptoExtras

/// A running emulator (port 0) and a client pointed at it, both logging into one in-memory
/// handler so tests can look for what must never be logged.
struct Harness {
    let emulator: KakaoEmulator
    let client: KakaoClient
    let baseURL: String
    let logs: InMemoryLogHandler

    static let redirectURI = "http://127.0.0.1:8080/auth/kakao/callback"

    /// Runs `body` with an emulator of `configuration` and a client of `restAPIKey` etc.
    static func run(
        emulator configuration: KakaoEmulatorConfiguration = KakaoEmulatorConfiguration(),
        restAPIKey: String = "emulator-rest-api-key",
        clientSecret: String? = nil,
        adminKey: String? = "emulator-admin-key",
        issuer: String? = nil,
        _ body: (Harness) async throws -> Void
    ) async throws {
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "kakao-tests", factory: { _ in logs })
        logger.logLevel = .trace
        let emulator = try KakaoEmulator(configuration: configuration, signingKeyPEM: testSigningKeyPEM, logger: logger)
        try await emulator.withRunningServer { baseURL in
            let clientConfiguration = try KakaoClientConfiguration(
                restAPIKey: restAPIKey,
                clientSecret: clientSecret,
                adminKey: adminKey,
                authURL: baseURL,
                apiURL: baseURL,
                idTokenIssuer: issuer,
                requestTimeout: .seconds(20),
                maxConnectionsPerHost: 16
            )
            let httpClient = clientConfiguration.makeHTTPClient()
            let client = KakaoClient(configuration: clientConfiguration, httpClient: httpClient, logger: logger)
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
    static func withClient<T>(_ configuration: KakaoClientConfiguration, _ body: (KakaoClient) async throws -> T) async throws -> T {
        let logger = Logger(label: "kakao-tests.extra-client")
        let httpClient = configuration.makeHTTPClient()
        do {
            let result = try await body(KakaoClient(configuration: configuration, httpClient: httpClient, logger: logger))
            await httpClient.shutdown()
            return result
        } catch {
            await httpClient.shutdown()
            throw error
        }
    }

    /// Expects `operation` to throw a ``KakaoAPIError`` and returns it.
    func expectError<T>(_ operation: () async throws -> T) async -> KakaoAPIError? {
        do {
            _ = try await operation()
            return nil
        } catch let error as KakaoAPIError {
            return error
        } catch {
            Issue.record("not a KakaoAPIError: \(error)")
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
