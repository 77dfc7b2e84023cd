import EmulatorTestSupport
import KakaoEmulator
import Logging

/// Plain HTTP against a running Kakao emulator.
typealias EmulatorHTTP = EmulatorClient<KakaoEmulator>

extension EmulatorClient where Emulator == KakaoEmulator {
    static func run(
        _ configuration: KakaoEmulatorConfiguration = KakaoEmulatorConfiguration(),
        _ body: (EmulatorHTTP) async throws -> Void
    ) async throws {
        let emulator = try KakaoEmulator(
            configuration: configuration,
            signingKeyPEM: testSigningKeyPEM,
            logger: Logger(label: "emulator-tests")
        )
        try await run(emulator, body)
    }

    /// Exchanges `code` with the default app and redirect URI.
    func exchange(_ code: String, extra: String = "") async throws -> Answer {
        try await postForm(
            "/oauth/token",
            "grant_type=authorization_code&client_id=emulator-rest-api-key&redirect_uri=\(Self.encodedRedirectURI)&code=\(code)\(extra)"
        )
    }

    static var redirectURI: String { "http://127.0.0.1:8080/auth/kakao/callback" }
    static var encodedRedirectURI: String { "http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Fkakao%2Fcallback" }
}
