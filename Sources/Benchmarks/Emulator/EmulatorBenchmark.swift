import Foundation
import Logging
import NIOCore
import NIOPosix

/// `kakao-login bench emulator`: how fast an emulator (Kakao's or Google's) answers what load
/// tests ask of it — code exchanges without `openid`, the profile endpoint (user/me, userinfo),
/// and code exchanges with `openid` (RS256 signing), with faults off. Build with `-c release`
/// before measuring.
///
/// Codes are minted before the clock starts: in-process through the emulator's `mintCode`, or,
/// against a running emulator, through `POST /_emulator/codes`. Each code belongs to a fresh
/// synthetic user, so Kakao's per-user token limit is never reached. The load comes from a lean
/// SwiftNIO HTTP/1.1 client with keep-alive connections (`HTTPLoadGenerator`), one request in
/// flight per connection; ``LoadClient/ahc`` sends the same requests through AsyncHTTPClient
/// instead, to compare. Progress lines go to standard error.
public struct EmulatorBenchmark: Sendable {
    /// How much load, and from which client.
    public struct Configuration: Sendable {
        /// The emulator measured.
        public var provider: BenchProvider
        /// Keep-alive connections of the load generator.
        public var connections: Int
        /// Code exchanges without openid to time.
        public var exchanges: Int
        /// Profile requests (user/me, userinfo) to time.
        public var userMe: Int
        /// Code exchanges with openid (RS256-signed ID token) to time.
        public var openidExchanges: Int
        /// The load generator of the timed runs.
        public var client: LoadClient

        public init(
            provider: BenchProvider = .kakao,
            connections: Int = 64,
            exchanges: Int = 60_000,
            userMe: Int = 120_000,
            openidExchanges: Int = 3_000,
            client: LoadClient = .nio
        ) {
            self.provider = provider
            self.connections = connections
            self.exchanges = exchanges
            self.userMe = userMe
            self.openidExchanges = openidExchanges
            self.client = client
        }
    }

    /// Which HTTP client sends the timed requests.
    public enum LoadClient: String, Sendable {
        /// The lean SwiftNIO load generator.
        case nio
        /// AsyncHTTPClient, to show how much of a figure is the client's.
        case ahc
    }

    let emulator: BenchEndpoint?
    let configuration: Configuration
    let logger: Logger

    /// A bench of the running emulator at `emulator` (loopback), or, when nil, of one started in
    /// this process on a free port, logging to `logger`.
    public init(emulator: BenchEndpoint?, configuration: Configuration = .init(), logger: Logger) {
        self.emulator = emulator
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the warm-up and the three timed runs. Throws ``BenchInputError`` when the warm-up
    /// exchanges all failed (the emulator is faulting).
    public func run() async throws -> EmulatorReport {
        if let emulator {
            return try await measure(host: emulator.host, port: emulator.port, minter: .http)
        }
        return try await configuration.provider.withInProcessEmulator(logger: logger) { port, mint in
            try await measure(host: "127.0.0.1", port: port, minter: .inProcess(mint))
        }
    }

    /// Where codes come from.
    private enum Minter {
        /// The emulator's `mintCode` for a scope.
        case inProcess(@Sendable (String) throws -> String)
        case http
    }

    private func measure(host: String, port: Int, minter: Minter) async throws -> EmulatorReport {
        let connections = configuration.connections
        let load = HTTPLoadGenerator(host: host, port: port, connections: connections, group: MultiThreadedEventLoopGroup.singleton)
        let ahc = AsyncHTTPClientLoad(baseURL: "http://\(host):\(port)", connections: connections)
        func timed(_ requests: [LoadRequest]) async throws -> LoadResult {
            switch configuration.client {
            case .nio: try await load.run(requests)
            case .ahc: try await ahc.run(requests)
            }
        }
        let hostHeader = "\(host):\(port)"
        let provider = configuration.provider
        func exchangeRequests(_ codes: [String]) -> [LoadRequest] {
            codes.map { .post(provider.tokenPath, host: hostHeader, form: provider.exchangeForm(code: Self.formEncoded($0))) }
        }
        func mint(_ count: Int, scope: String) async throws -> [String] {
            switch minter {
            case .inProcess(let mint):
                return try (0..<count).map { _ in try mint(scope) }
            case .http:
                let answers = try await load.run(
                    Array(repeating: .json("/_emulator/codes", host: hostHeader, body: #"{"scope":"\#(scope)"}"#), count: count),
                    keepBodies: true
                )
                return answers.bodies.compactMap { Self.stringField("code", in: $0) }
            }
        }

        progress("warming up")
        let warmup = try await load.run(exchangeRequests(try await mint(2_000, scope: provider.profileScope)), keepBodies: true)
        let accessTokens = warmup.bodies.compactMap { Self.stringField("access_token", in: $0) }
        guard !accessTokens.isEmpty else { throw BenchInputError("the warm-up exchanges failed: is faulting off?") }

        progress("minting \(configuration.exchanges) codes (not timed)")
        let plainCodes = try await mint(configuration.exchanges, scope: provider.plainScope)
        progress("timing \(plainCodes.count) code exchanges without openid")
        let plain = try await timed(exchangeRequests(plainCodes))

        progress("timing \(configuration.userMe) \(provider.profileName) requests over \(accessTokens.count) tokens")
        let meRequests = (0..<configuration.userMe).map { index in
            LoadRequest.get(
                provider.profilePath,
                host: hostHeader,
                headers: [("Authorization", "Bearer " + accessTokens[index % accessTokens.count])]
            )
        }
        let me = try await timed(meRequests)

        progress("minting \(configuration.openidExchanges) openid codes (not timed)")
        let openidCodes = try await mint(configuration.openidExchanges, scope: provider.openidScope)
        progress("timing \(openidCodes.count) code exchanges with openid")
        let openid = try await timed(exchangeRequests(openidCodes))

        return EmulatorReport(configuration: configuration, exchange: plain, userMe: me, openidExchange: openid)
    }

    private func progress(_ message: String) {
        BenchText.progress("emulator", message)
    }

    /// `code` as a form value: Google's codes hold `/`.
    static func formEncoded(_ code: String) -> String {
        code.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? code
    }

    /// The string value of `"name": "…"` in a JSON body, compact (Kakao's) or pretty-printed
    /// (Google's); the emulators' bodies need no unescaping there.
    static func stringField(_ name: String, in buffer: ByteBuffer) -> String? {
        let text = String(buffer: buffer)
        guard let key = text.range(of: "\"\(name)\"") else { return nil }
        let rest = text[key.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\n" }
        guard rest.first == "\"", let end = rest.dropFirst().firstIndex(of: "\"") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<end])
    }
}
