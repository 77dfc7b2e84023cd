import NIOCore
import NIOHTTP1
import NIOSSL
import OAuthClientSupport
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@Suite("The providers' HTTP client")
struct ProviderHTTPClientTests {
    private static func client(
        readTimeout: Duration = .seconds(5),
        idleTimeout: Duration = .seconds(60),
        maxConnectionsPerHost: Int = 8,
        trusting certificate: String? = nil
    ) throws -> ProviderHTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let certificate {
            tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem)])
        }
        return ProviderHTTPClient(
            configuration: .init(
                connectTimeout: .seconds(2),
                readTimeout: readTimeout,
                idleTimeout: idleTimeout,
                maxConnectionsPerHost: maxConnectionsPerHost,
                tlsConfiguration: tls
            )
        )
    }

    private static func get(
        _ url: String,
        with client: ProviderHTTPClient,
        maxBytes: Int = 10_000
    ) async throws(ExchangeFailure) -> OAuthHTTP.Answer {
        try await client.execute(.init(method: .GET, url: url), deadline: .now() + .seconds(10), maxResponseBytes: maxBytes)
    }

    private static func failure(of body: () async throws(ExchangeFailure) -> OAuthHTTP.Answer) async -> ExchangeFailure? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    @Test func aKeepAliveConnectionCarriesEveryRequest() async throws {
        let server = try await TestHTTPServer.start(reply: .ok(body: #"{"ok":true}"#))
        let client = try Self.client()
        for _ in 0..<5 {
            let answer = try await Self.get("http://127.0.0.1:\(server.port)/v2/user/me?x=1", with: client)
            #expect(answer.status == 200)
            #expect(String(buffer: answer.body) == #"{"ok":true}"#)
        }
        #expect(server.connections == 1)
        await client.shutdown()
        await server.stop()
    }

    @Test func anAnswerThatClosesTheConnectionIsNotReused() async throws {
        let server = try await TestHTTPServer.start(reply: .ok(body: "{}", close: true))
        let client = try Self.client()
        for _ in 0..<3 {
            #expect(try await Self.get("http://127.0.0.1:\(server.port)/", with: client).status == 200)
        }
        #expect(server.connections == 3)
        await client.shutdown()
        await server.stop()
    }

    @Test func requestsBeyondTheConnectionLimitWaitForAConnection() async throws {
        let server = try await TestHTTPServer.start(reply: .delayed(.milliseconds(50), body: "{}"))
        let client = try Self.client(maxConnectionsPerHost: 2)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask { try await Self.get("http://127.0.0.1:\(server.port)/", with: client).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 6))
        #expect(server.connections == 2)
        await client.shutdown()
        await server.stop()
    }

    @Test func anAnswerLargerThanTheLimitIsRefused() async throws {
        let server = try await TestHTTPServer.start(reply: .ok(body: String(repeating: "x", count: 2_000)))
        let client = try Self.client()
        let failure = await Self.failure { () async throws(ExchangeFailure) in
            try await Self.get("http://127.0.0.1:\(server.port)/", with: client, maxBytes: 1_000)
        }
        #expect(failure == .responseTooLarge(status: 200))
        await client.shutdown()
        await server.stop()
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = try await TestHTTPServer.start(reply: .silent)
        let client = try Self.client(readTimeout: .milliseconds(200))
        let failure = await Self.failure { () async throws(ExchangeFailure) in
            try await Self.get("http://127.0.0.1:\(server.port)/", with: client)
        }
        #expect(failure == .timedOut)
        #expect(failure?.certainlyNotSent == false)
        await client.shutdown()
        await server.stop()
    }

    @Test func nobodyListeningIsAConnectFailure() async throws {
        let client = try Self.client()
        let failure = await Self.failure { () async throws(ExchangeFailure) in try await Self.get("http://127.0.0.1:1/", with: client) }
        #expect(failure == .connectFailed)
        #expect(failure?.certainlyNotSent == true)
        await client.shutdown()
    }

    @Test func aURLThatIsNotHTTPIsUnusable() async throws {
        let client = try Self.client()
        for url in ["ftp://127.0.0.1/", "not a url", "http:///path"] {
            let failure = await Self.failure { () async throws(ExchangeFailure) in try await Self.get(url, with: client) }
            #expect(failure == .unusableRequest, "\(url)")
        }
        await client.shutdown()
    }

    @Test func cancellingASentRequestSaysItMayHaveLeft() async throws {
        let server = try await TestHTTPServer.start(reply: .silent)
        let client = try Self.client()
        let request = Task { () async -> ExchangeFailure? in
            await Self.failure { () async throws(ExchangeFailure) in try await Self.get("http://127.0.0.1:\(server.port)/", with: client) }
        }
        try await Task.sleep(for: .milliseconds(200))
        request.cancel()
        #expect(await request.value == .cancelled(sent: true))
        await client.shutdown()
        await server.stop()
    }

    @Test func anIdleConnectionClosesAfterTheIdleTimeout() async throws {
        let server = try await TestHTTPServer.start(reply: .ok(body: "{}"))
        let client = try Self.client(idleTimeout: .milliseconds(100))
        #expect(try await Self.get("http://127.0.0.1:\(server.port)/", with: client).status == 200)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await Self.get("http://127.0.0.1:\(server.port)/", with: client).status == 200)
        #expect(server.connections == 2)
        await client.shutdown()
        await server.stop()
    }

    @Test func tlsToATrustedCertificate() async throws {
        let server = try await TestHTTPServer.start(tls: try TestHTTPServer.tlsContext(), reply: .ok(body: "{}"))
        let client = try Self.client(trusting: TestCertificate.certificate)
        for host in ["localhost", "127.0.0.1"] {
            #expect(try await Self.get("https://\(host):\(server.port)/", with: client).status == 200)
        }
        await client.shutdown()
        await server.stop()
    }

    @Test func tlsToAnUntrustedCertificateNeverSendsTheRequest() async throws {
        let server = try await TestHTTPServer.start(tls: try TestHTTPServer.tlsContext(), reply: .ok(body: "{}"))
        let client = try Self.client()
        let failure = await Self.failure { () async throws(ExchangeFailure) in
            try await Self.get("https://localhost:\(server.port)/", with: client)
        }
        #expect(failure == .connectFailed)
        await client.shutdown()
        await server.stop()
    }

    @Test func theServiceShutsTheClientDownOnGracefulShutdown() async throws {
        let client = try Self.client()
        let service = HTTPClientService(httpClient: client)
        try await testGracefulShutdown { trigger in
            async let running: Void = service.run()
            trigger.triggerGracefulShutdown()
            try await running
        }
        let failure = await Self.failure { () async throws(ExchangeFailure) in try await Self.get("http://127.0.0.1:1/", with: client) }
        #expect(failure == .unusableRequest)
    }
}
