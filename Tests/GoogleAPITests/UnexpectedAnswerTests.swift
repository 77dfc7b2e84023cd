import GoogleAPI
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Testing

/// Answers the emulator never gives, from a hand-made server whose discovery document points at
/// itself: HTML pages, truncated JSON, redirects, oversized bodies, bad discovery documents.
@Suite("Google client against unexpected answers")
struct UnexpectedAnswerTests {
    /// Serves a discovery document (`discovery(base)`, or a correct one) and `body` with `status`
    /// and `contentType` on the token and userinfo paths, for the duration of `test`.
    static func serving(
        status: HTTPResponse.Status,
        contentType: String = "application/json; charset=utf-8",
        headers: HTTPFields = [:],
        body: String,
        discovery: (@Sendable (String) -> String)? = nil,
        _ test: (GoogleClient) async throws -> Void
    ) async throws {
        let router = Router()
        let answer: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            var fields = headers
            fields[.contentType] = contentType
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.on("/.well-known/openid-configuration", method: .get) { request, _ in
            let base = "http://" + (request.head.authority ?? "")
            let document =
                discovery?(base)
                ?? #"{"issuer":"\#(base)","authorization_endpoint":"\#(base)/auth","token_endpoint":"\#(base)/token","userinfo_endpoint":"\#(base)/v1/userinfo","jwks_uri":"\#(base)/certs","revocation_endpoint":"\#(base)/revoke"}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        router.on("/token", method: .post, use: answer)
        router.on("/v1/userinfo", method: .get, use: answer)
        router.on("/revoke", method: .post, use: answer)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-google")
        )
        let group = ServiceGroup(services: [app], logger: Logger(label: "fake-google"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let base = "http://127.0.0.1:\(port)"
            do {
                try await Harness.withClient(
                    try GoogleClientConfiguration(clientID: "c", clientSecret: "s", issuerURL: base, maxResponseBytes: 4096),
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

    static func exchangeError(_ client: GoogleClient) async -> GoogleAPIError? {
        await Harness.expectError { try await client.exchangeCode("4/0Ac", redirectURI: "http://127.0.0.1/cb", codeVerifier: nil) }
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

    @Test func htmlPageWithSuccessStatusIsUnexpected() async throws {
        try await Self.serving(status: .ok, contentType: "text/html", body: "<html>captive portal</html>") { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.kind == .unexpectedResponse)
            #expect(error.errorClass == .retryable)
            #expect(error.delivery == .unknown)
            #expect(error.httpStatus == 200)
        }
    }

    @Test func truncatedJSONIsUnexpected() async throws {
        try await Self.serving(status: .ok, body: #"{"access_token":"ya29.abc","expires_in":35"#) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.kind == .unexpectedResponse)
            #expect(error.delivery == .unknown)
            let userInfo = try #require(await Harness.expectError { try await client.userInfo(accessToken: "t") })
            #expect(userInfo.kind == .unexpectedResponse)
            #expect(userInfo.errorClass == .retryable)
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
            #expect(error.problem == .clientMisconfigured)
        }
    }

    @Test func oversizedAnswerIsAnError() async throws {
        try await Self.serving(status: .ok, body: String(repeating: "x", count: 10_000)) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.kind == .responseTooLarge)
            #expect(error.errorClass == .retryable)
            #expect(error.delivery == .unknown)
        }
    }

    @Test func tooManyRequestsWithoutABodyIsRateLimited() async throws {
        try await Self.serving(status: .tooManyRequests, contentType: "text/plain", body: "slow down") { client in
            #expect(await Self.exchangeError(client)?.errorClass == .rateLimited)
        }
    }

    @Test func accountRestrictionsAreRecognised() async throws {
        try await Self.serving(status: .badRequest, body: #"{"error":"admin_policy_enforced","error_description":"blocked"}"#) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.googleError == .adminPolicyEnforced)
            #expect(error.problem == .accountRestricted)
        }
    }

    @Test func unknownErrorValueIsNotKept() async throws {
        let body = #"{"error":"invalid_grant code=4/0ASECRET","error_description":"Malformed auth code 4/0ASECRET"}"#
        try await Self.serving(status: .badRequest, body: body) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.googleError == nil)
            #expect(error.kind == .googleError)
            #expect(error.problem == .requestRefused)
            #expect(!error.description.contains("SECRET"))
        }
    }

    @Test func revokeErrorsOtherThanInvalidTokenAreErrors() async throws {
        try await Self.serving(status: .serviceUnavailable, contentType: "text/html", body: "<p>down</p>") { client in
            let error = try #require(await Harness.expectError { try await client.revoke(token: "t") })
            #expect(error.operation == .revoke)
            #expect(error.errorClass == .retryable)
        }
    }

    @Test func stringifiedValuesAreRead() async throws {
        let body = #"{"sub":"42","email":"x@example.test","email_verified":"true","hd":"example.test"}"#
        try await Self.serving(status: .ok, body: body) { client in
            let user = try await client.userInfo(accessToken: "t")
            #expect(user.subject == "42")
            #expect(user.emailVerified)
            #expect(user.hostedDomain == "example.test")
            #expect(!"\(user)".contains("x@example.test"))
        }
    }

    @Test func discoveryForAnotherIssuerIsRefused() async throws {
        let other: @Sendable (String) -> String = { base in
            #"{"issuer":"https://accounts.google.com","authorization_endpoint":"\#(base)/auth","token_endpoint":"\#(base)/token","userinfo_endpoint":"\#(base)/v1/userinfo","jwks_uri":"\#(base)/certs"}"#
        }
        try await Self.serving(status: .ok, body: "{}", discovery: other) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.operation == .discovery)
            #expect(error.kind == .invalidConfiguration)
            #expect(error.problem == .clientMisconfigured)
        }
    }

    @Test func discoveryWithPlainHTTPEndpointsIsRefused() async throws {
        let insecure: @Sendable (String) -> String = { base in
            #"{"issuer":"\#(base)","authorization_endpoint":"\#(base)/auth","token_endpoint":"http://token.example.com/token","userinfo_endpoint":"\#(base)/v1/userinfo","jwks_uri":"\#(base)/certs"}"#
        }
        try await Self.serving(status: .ok, body: "{}", discovery: insecure) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.kind == .invalidConfiguration)
            #expect(error.configurationProblem?.contains("token_endpoint") == true)
            let revoke = try #require(await Harness.expectError { try await client.revoke(token: "t") })
            #expect(revoke.operation == .discovery)
        }
    }

    @Test func discoveryThatIsNotADocumentIsUnexpected() async throws {
        let page: @Sendable (String) -> String = { _ in "<html>hello</html>" }
        try await Self.serving(status: .ok, body: "{}", discovery: page) { client in
            let error = try #require(await Self.exchangeError(client))
            #expect(error.operation == .discovery)
            #expect(error.kind == .unexpectedResponse)
            #expect(error.errorClass == .retryable)
        }
    }

    @Test func discoveryWithoutRevocationEndpoint() async throws {
        let noRevoke: @Sendable (String) -> String = { base in
            #"{"issuer":"\#(base)","authorization_endpoint":"\#(base)/auth","token_endpoint":"\#(base)/token","userinfo_endpoint":"\#(base)/v1/userinfo","jwks_uri":"\#(base)/certs"}"#
        }
        try await Self.serving(status: .ok, body: "{}", discovery: noRevoke) { client in
            let error = try #require(await Harness.expectError { try await client.revoke(token: "t") })
            #expect(error.operation == .revoke)
            #expect(error.kind == .invalidConfiguration)
            #expect(error.delivery == .notSent)
        }
    }
}
