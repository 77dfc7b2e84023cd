import AsyncHTTPClient
import Foundation
import KakaoEmulator
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import _CryptoExtras

/// Plain HTTP against a running emulator: what a browser or a raw client sends.
struct EmulatorHTTP {
    let emulator: KakaoEmulator
    let baseURL: String
    let client: HTTPClient

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: String

        /// The JSON body as a dictionary (empty when it is not one).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }

        /// Query items of the `Location` header.
        var redirectQuery: [String: String] {
            guard let location = headers.first(name: "Location"), let components = URLComponents(string: location) else { return [:] }
            return Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        }
    }

    static func run(
        _ configuration: KakaoEmulatorConfiguration = KakaoEmulatorConfiguration(),
        _ body: (EmulatorHTTP) async throws -> Void
    ) async throws {
        let emulator = try KakaoEmulator(
            configuration: configuration,
            signingKeyPEM: testSigningKeyPEM,
            logger: Logger(label: "emulator-tests")
        )
        try await emulator.withRunningServer { baseURL in
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(2), read: .seconds(10))
            )
            configuration.httpVersion = .http1Only
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            do {
                try await body(EmulatorHTTP(emulator: emulator, baseURL: baseURL, client: client))
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    func send(
        _ method: HTTPMethod,
        _ path: String,
        body: ByteBuffer? = nil,
        contentType: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Answer {
        try await send(.GET, path, headers: headers)
    }

    func postForm(_ path: String, _ form: String, headers: [(String, String)] = []) async throws -> Answer {
        try await send(.POST, path, body: ByteBuffer(string: form), contentType: "application/x-www-form-urlencoded", headers: headers)
    }

    func postJSON(_ path: String, _ json: String) async throws -> Answer {
        try await send(.POST, path, body: ByteBuffer(string: json), contentType: "application/json")
    }

    /// Exchanges `code` with the default app and redirect URI.
    func exchange(_ code: String, extra: String = "") async throws -> Answer {
        try await postForm(
            "/oauth/token",
            "grant_type=authorization_code&client_id=emulator-rest-api-key&redirect_uri=\(Self.encodedRedirectURI)&code=\(code)\(extra)"
        )
    }

    static let redirectURI = "http://127.0.0.1:8080/auth/kakao/callback"
    static let encodedRedirectURI = "http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Fkakao%2Fcallback"
}

/// One RSA key for every emulator of the test run (generating one per test is slow on 2 cores).
let testSigningKeyPEM: String = {
    do {
        return try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
    } catch {
        fatalError("RSA key generation failed: \(error)")
    }
}()
