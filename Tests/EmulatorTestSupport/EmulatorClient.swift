import AsyncHTTPClient
import EmulatorSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Plain HTTP against a running emulator: what a browser or a raw client sends, over a real
/// socket, redirects not followed.
public struct EmulatorClient<Emulator: ProviderEmulator> {
    public let emulator: Emulator
    public let baseURL: String
    public let client: HTTPClient

    /// What the emulator answered.
    public struct Answer {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: String

        /// The JSON body as a dictionary (empty when it is not one).
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }

        /// Query items of the `Location` header.
        public var redirectQuery: [String: String] {
            guard let location = headers.first(name: "Location"), let components = URLComponents(string: location) else { return [:] }
            return Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Runs `emulator` on an ephemeral loopback port for the duration of `body`.
    public static func run(_ emulator: Emulator, _ body: (EmulatorClient) async throws -> Void) async throws {
        try await emulator.withRunningServer(host: "127.0.0.1", port: 0) { baseURL in
            try await connect(to: emulator, at: baseURL, body)
        }
    }

    /// A client of `emulator`, already running at `baseURL`, for the duration of `body`.
    public static func connect(to emulator: Emulator, at baseURL: String, _ body: (EmulatorClient) async throws -> Void) async throws {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(2), read: .seconds(10))
        )
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            try await body(EmulatorClient(emulator: emulator, baseURL: baseURL, client: client))
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    public func send(
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

    public func get(_ path: String, headers: [(String, String)] = []) async throws -> Answer {
        try await send(.GET, path, headers: headers)
    }

    public func postForm(_ path: String, _ form: String, headers: [(String, String)] = []) async throws -> Answer {
        try await send(.POST, path, body: ByteBuffer(string: form), contentType: "application/x-www-form-urlencoded", headers: headers)
    }

    public func postJSON(_ path: String, _ json: String) async throws -> Answer {
        try await send(.POST, path, body: ByteBuffer(string: json), contentType: "application/json")
    }
}
