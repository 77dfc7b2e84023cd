import Hummingbird
import KakaoAPI
import Logging
import NIOCore
import ServiceLifecycle
import Testing

/// Answers the emulator never gives, from a hand-made server: HTML pages, truncated JSON,
/// wrong content types, redirects, oversized bodies, odd but valid shapes.
@Suite("Client against unexpected answers")
struct UnexpectedAnswerTests {
    /// Serves `body` with `status` and `contentType` on every path, for the duration of `test`.
    static func serving(
        status: HTTPResponse.Status,
        contentType: String = "application/json;charset=UTF-8",
        headers: HTTPFields = [:],
        body: String,
        _ test: (KakaoClient) async throws -> Void
    ) async throws {
        let router = Router()
        let answer: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            var fields = headers
            fields[.contentType] = contentType
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.on("/oauth/token", method: .post, use: answer)
        router.on("/v2/user/me", method: .get, use: answer)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-kakao")
        )
        let group = ServiceGroup(services: [app], logger: Logger(label: "fake-kakao"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let base = "http://127.0.0.1:\(port)"
            do {
                try await Harness.withClient(
                    try KakaoClientConfiguration(restAPIKey: "k", authURL: base, apiURL: base, maxResponseBytes: 4096),
                    test
                )
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func exchangeError(_ client: KakaoClient) async -> KakaoAPIError? {
        do {
            _ = try await client.exchangeCode("c", redirectURI: "http://127.0.0.1/cb", codeVerifier: nil)
            return nil
        } catch {
            return error
        }
    }

    static func userMeError(_ client: KakaoClient) async -> KakaoAPIError? {
        do {
            _ = try await client.userMe(accessToken: "t")
            return nil
        } catch {
            return error
        }
    }

    @Test func htmlErrorPageFromAProxyIsRetryable() async throws {
        try await Self.serving(status: .badGateway, contentType: "text/html", body: "<html><body>502 Bad Gateway</body></html>") { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.kind == .unexpectedResponse)
            #expect(error.httpStatus == 502)
            #expect(error.errorClass == .retryable)
            #expect(error.delivery == .unknown)
        }
    }

    @Test func htmlPageWithSuccessStatusIsRetryable() async throws {
        try await Self.serving(status: .ok, contentType: "text/html", body: "<html>captive portal</html>") { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.kind == .unexpectedResponse)
            #expect(error.errorClass == .retryable)
            #expect(error.delivery == .unknown)
        }
    }

    @Test func truncatedJSONIsRetryable() async throws {
        try await Self.serving(status: .ok, body: #"{"token_type":"bearer","access_token":"abc"#) { client in
            #expect(await Self.exchangeError(client)?.kind == .unexpectedResponse)
            #expect(await Self.userMeError(client)?.errorClass == .retryable)
        }
    }

    @Test func htmlFourHundredIsTerminal() async throws {
        try await Self.serving(status: .badRequest, contentType: "text/html", body: "<h1>Bad Request</h1>") { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.errorClass == .terminal)
            #expect(error.problem == .requestRefused)
        }
    }

    @Test func redirectsAreNotFollowed() async throws {
        try await Self.serving(status: .found, headers: [.location: "http://127.0.0.1:1/steal"], body: "") { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.httpStatus == 302)
            #expect(error.errorClass == .terminal)
            #expect(error.problem == .appMisconfigured)
        }
    }

    @Test func oversizedAnswerIsAnError() async throws {
        try await Self.serving(status: .ok, body: String(repeating: "x", count: 10_000)) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.kind == .responseTooLarge)
            #expect(error.errorClass == .retryable)
        }
    }

    @Test func tooManyRequestsWithoutAKakaoBodyIsRateLimited() async throws {
        try await Self.serving(status: .tooManyRequests, contentType: "text/plain", body: "slow down") { client in
            #expect(await Self.exchangeError(client)?.errorClass == .rateLimited)
        }
    }

    @Test func kauthErrorWithoutACodeIsClassifiedByStatus() async throws {
        try await Self.serving(status: .serviceUnavailable, body: #"{"error":"server_error","error_description":"try later"}"#) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.kind == .kakaoError)
            #expect(error.kakaoCode == nil)
            #expect(error.errorClass == .retryable)
            #expect(error.delivery == .responded)
        }
    }

    @Test func kapiCodeAsAString() async throws {
        try await Self.serving(status: .unauthorized, contentType: "application/json", body: #"{"msg":"x","code":"-401"}"#) { client in
            #expect(await Self.userMeError(client)?.kakaoCode == .invalidToken)
        }
    }

    @Test func malformedErrorCodeIsNotKept() async throws {
        try await Self.serving(status: .badRequest, body: #"{"error":"invalid_grant","error_code":"KOE320 code=SECRET"}"#) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.kakaoCode == nil)
            #expect(!error.description.contains("SECRET"))
        }
    }

    @Test func legacyPropertiesOnlyUser() async throws {
        let body = #"{"id":"42","properties":{"nickname":"old","profile_image":"http://x/p.jpg","thumbnail_image":"http://x/t.jpg"}}"#
        try await Self.serving(status: .ok, contentType: "text/plain", body: body) { client in
            let user = try await client.userMe(accessToken: "t")
            #expect(user.id == 42)
            #expect(user.nickname == "old")
            #expect(user.thumbnailImageURL == "http://x/t.jpg")
            #expect(user.email == nil)
        }
    }
}
