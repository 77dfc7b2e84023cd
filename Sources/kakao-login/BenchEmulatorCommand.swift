import ArgumentParser
import Foundation
import Histogram
import KakaoEmulator
import Logging
import NIOCore
import NIOPosix

/// `kakao-login bench emulator`: how fast the emulator answers what load tests ask of it —
/// code exchanges without `openid`, user/me, and code exchanges with `openid` (RS256 signing),
/// with faults off. Build with `-c release` before measuring.
///
/// Codes are minted before the clock starts: in-process through ``KakaoEmulator/mintCode``, or,
/// against a running emulator (`--emulator URL`), through `POST /_emulator/codes`. Each code
/// belongs to a fresh synthetic user, so Kakao's per-user token limit is never reached.
/// The load comes from a lean SwiftNIO HTTP/1.1 client with keep-alive connections
/// (`HTTPLoadGenerator`), one request in flight per connection; `--client ahc` sends the same
/// requests through AsyncHTTPClient instead, to compare.
struct BenchEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Measure the Kakao emulator: code exchanges/s (with and without openid) and user/me/s."
    )

    @Option(help: "Base URL of a running emulator (loopback only); default: one started in this process on a free port.")
    var emulator: String?

    @Option(help: "Keep-alive connections of the load generator.")
    var connections = 64

    @Option(help: "Code exchanges without openid to time.")
    var exchanges = 60_000

    @Option(help: "user/me requests to time.")
    var userMe = 120_000

    @Option(help: "Code exchanges with openid (RS256-signed ID token) to time.")
    var openidExchanges = 3_000

    @Option(help: "Load generator for the timed runs: nio (lean, default) or ahc (AsyncHTTPClient, for comparison).")
    var client: LoadClient = .nio

    @Flag(help: "End the output with one JSON object of the figures.")
    var json = false

    /// Which HTTP client sends the timed requests.
    enum LoadClient: String, ExpressibleByArgument {
        case nio
        case ahc
    }

    func run() async throws {
        var logger = Logger(label: "kakao-login.bench")
        logger.logLevel = .warning
        if let emulator {
            let endpoint = try BenchEndpoint(emulator, flag: "--emulator", loopbackOnly: true)
            try await measure(host: endpoint.host, port: endpoint.port, minter: .http)
        } else {
            let emulator = try KakaoEmulator(logger: logger)
            try await emulator.withRunningServer { baseURL in
                let port = Int(baseURL.split(separator: ":").last ?? "") ?? 0
                try await measure(host: "127.0.0.1", port: port, minter: .inProcess(emulator))
            }
        }
    }

    /// Where codes come from.
    enum Minter {
        case inProcess(KakaoEmulator)
        case http
    }

    private func measure(host: String, port: Int, minter: Minter) async throws {
        let load = HTTPLoadGenerator(host: host, port: port, connections: connections, group: MultiThreadedEventLoopGroup.singleton)
        let ahc = AsyncHTTPClientLoad(baseURL: "http://\(host):\(port)", connections: connections)
        func timed(_ requests: [LoadRequest]) async throws -> LoadResult {
            switch client {
            case .nio: try await load.run(requests)
            case .ahc: try await ahc.run(requests)
            }
        }
        let hostHeader = "\(host):\(port)"
        let redirectURI = "http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Fkakao%2Fcallback"
        func exchangeRequests(_ codes: [String]) -> [LoadRequest] {
            codes.map {
                .post(
                    "/oauth/token",
                    host: hostHeader,
                    form: "grant_type=authorization_code&client_id=emulator-rest-api-key&redirect_uri=\(redirectURI)&code=\($0)"
                )
            }
        }
        func mint(_ count: Int, scope: String) async throws -> [String] {
            switch minter {
            case .inProcess(let emulator):
                return try (0..<count).map { _ in try emulator.mintCode(scope: scope) }
            case .http:
                let answers = try await load.run(
                    Array(repeating: .json("/_emulator/codes", host: hostHeader, body: #"{"scope":"\#(scope)"}"#), count: count),
                    keepBodies: true
                )
                return answers.bodies.compactMap { Self.stringField("code", in: $0) }
            }
        }

        progress("warming up")
        let warmup = try await load.run(exchangeRequests(try await mint(2_000, scope: "profile_nickname account_email")), keepBodies: true)
        let accessTokens = warmup.bodies.compactMap { Self.stringField("access_token", in: $0) }
        guard !accessTokens.isEmpty else { throw ValidationError("the warm-up exchanges failed: is faulting off?") }

        progress("minting \(exchanges) codes (not timed)")
        let plainCodes = try await mint(exchanges, scope: "profile_nickname account_email")
        progress("timing \(plainCodes.count) code exchanges without openid")
        let plain = try await timed(exchangeRequests(plainCodes))

        progress("timing \(userMe) user/me requests over \(accessTokens.count) tokens")
        let meRequests = (0..<userMe).map { index in
            LoadRequest.get(
                "/v2/user/me",
                host: hostHeader,
                headers: [("Authorization", "Bearer " + accessTokens[index % accessTokens.count])]
            )
        }
        let me = try await timed(meRequests)

        progress("minting \(openidExchanges) openid codes (not timed)")
        let openidCodes = try await mint(openidExchanges, scope: "openid profile_nickname account_email")
        progress("timing \(openidCodes.count) code exchanges with openid")
        let openid = try await timed(exchangeRequests(openidCodes))

        let rows = [("exchange (no openid)", plain), ("user/me", me), ("exchange (openid, RS256)", openid)]
        print("")
        print("scenario                     requests   failed   seconds   per second   p50 ms   p99 ms")
        for (name, result) in rows {
            print(
                name.padding(toLength: 28, withPad: " ", startingAt: 0),
                String(result.succeeded + result.failed).leftPadded(8),
                String(result.failed).leftPadded(8),
                String(format: "%9.2f", result.seconds),
                String(format: "%12.0f", result.perSecond),
                String(format: "%8.2f", Double(result.latency.valueAtPercentile(50)) / 1000),
                String(format: "%8.2f", Double(result.latency.valueAtPercentile(99)) / 1000)
            )
        }
        if json {
            func figures(_ result: LoadResult) -> String {
                #"{"requests":\#(result.succeeded + result.failed),"failed":\#(result.failed),"seconds":\#(String(format: "%.3f", result.seconds)),"per_second":\#(Int(result.perSecond)),"p50_ms":\#(Double(result.latency.valueAtPercentile(50)) / 1000),"p99_ms":\#(Double(result.latency.valueAtPercentile(99)) / 1000)}"#
            }
            print(
                #"{"client":"\#(client.rawValue)","connections":\#(connections),"exchange_per_second":\#(Int(plain.perSecond)),"user_me_per_second":\#(Int(me.perSecond)),"openid_exchange_per_second":\#(Int(openid.perSecond)),"exchange":\#(figures(plain)),"user_me":\#(figures(me)),"openid_exchange":\#(figures(openid))}"#
            )
        }
    }

    private func progress(_ message: String) {
        BenchText.progress("emulator", message)
    }

    /// The string value of `"name":"…"` in a JSON body (the emulator's bodies need no unescaping there).
    static func stringField(_ name: String, in buffer: ByteBuffer) -> String? {
        let text = String(buffer: buffer)
        guard let start = text.range(of: "\"\(name)\":\"") else { return nil }
        guard let end = text[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(text[start.upperBound..<end])
    }
}
