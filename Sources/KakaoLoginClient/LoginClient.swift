import Foundation
import HTTPTypes
import OpenAPIRuntime

#if canImport(OpenAPIAsyncHTTPClient)
import AsyncHTTPClient
import OpenAPIAsyncHTTPClient
#endif

/// The login flow over the generated ``Client``, as a client without cookies does it: start an
/// attempt, send the user to ``LoginAttempt/authorizeURL``, post the code the redirect brings
/// back, long-poll for the app tokens; then refresh, read the user, log out.
///
/// Every answer the document calls an error is thrown as a ``KakaoLoginError`` with its code;
/// a failure to reach the API is the runtime's `ClientError`. For any other operation use
/// ``client`` (the generated client) with the same transport.
public struct LoginClient: Sendable {
    /// The API's base URL.
    public let serverURL: URL
    private let transport: any ClientTransport
    private let middlewares: [any ClientMiddleware]

    /// A client of the API at `serverURL` over `transport` (`URLSessionTransport()` of
    /// swift-openapi-urlsession on Apple platforms, `AsyncHTTPClientTransport()` on servers).
    public init(serverURL: URL, transport: any ClientTransport, middlewares: [any ClientMiddleware] = []) {
        self.serverURL = serverURL
        self.transport = transport
        self.middlewares = middlewares
    }

    #if canImport(OpenAPIAsyncHTTPClient)
    /// A client of the API at `serverURL` over AsyncHTTPClient (`HTTPClient.shared` by default).
    public init(serverURL: URL, httpClient: HTTPClient = .shared) {
        self.init(serverURL: serverURL, transport: AsyncHTTPClientTransport(configuration: .init(client: httpClient)))
    }
    #endif

    /// The generated client, for every operation of the document.
    public var client: Client { client(with: []) }

    /// The generated client with the API's date format and `extra` middlewares after the caller's.
    func client(with extra: [any ClientMiddleware]) -> Client {
        Client(
            serverURL: serverURL,
            configuration: Configuration(dateTranscoder: RFC3339DateTranscoder()),
            transport: transport,
            middlewares: middlewares + extra
        )
    }

    /// The generated client presenting `attempt` as `X-Login-Attempt`.
    func client(presenting attempt: LoginAttempt) -> Client {
        client(with: [HeaderFieldMiddleware(name: HTTPField.Name("X-Login-Attempt")!, value: attempt.attemptToken)])
    }

    /// `POST /auth/{provider}/start`: a new attempt. `redirectURI` is one of the provider's
    /// redirect URIs (the first when `nil`); `scope` asks Kakao for more consent items.
    public func startLogin(
        provider: Components.Parameters.Provider = .kakao,
        redirectURI: String? = nil,
        scope: [String]? = nil
    ) async throws -> LoginAttempt {
        let output = try await client.startLogin(
            path: .init(provider: provider),
            body: .json(.init(redirectUri: redirectURI, scope: scope))
        )
        guard case .ok(let ok) = output else { throw try KakaoLoginError(unexpected: output) }
        let started = try ok.body.json
        guard let authorizeURL = URL(string: started.authorizeUrl) else {
            throw KakaoLoginError(status: 200, code: nil, message: "The authorize URL is not a URL.")
        }
        return LoginAttempt(
            provider: provider,
            authorizeURL: authorizeURL,
            state: started.state,
            attemptToken: started.attemptToken,
            expiresIn: started.expiresIn
        )
    }

    /// `POST /auth/{provider}/login`: posts the `code` and `state` the redirect brought back;
    /// answers the `login_id` to poll. Posting the same code again answers the same id.
    public func submitCode(_ code: String, state: String, attempt: LoginAttempt) async throws -> String {
        let output = try await client(presenting: attempt).submitLoginCode(
            path: .init(provider: attempt.provider),
            body: .json(.init(code: code, state: state))
        )
        guard case .accepted(let accepted) = output else { throw try KakaoLoginError(unexpected: output) }
        return try accepted.body.json.loginId
    }

    /// `POST /auth/token/refresh`: a new access token and a new refresh token (the old one is
    /// rotated out).
    public func refresh(refreshToken: String) async throws -> Components.Schemas.TokenPair {
        let output = try await client.refreshTokens(body: .json(.init(refreshToken: refreshToken)))
        guard case .ok(let ok) = output else { throw try KakaoLoginError(unexpected: output) }
        return try ok.body.json
    }

    /// `GET /me`: the user of `accessToken`, with the providers linked to them.
    public func me(accessToken: String) async throws -> Components.Schemas.MeUser {
        let bearer = HeaderFieldMiddleware(name: .authorization, value: "Bearer \(accessToken)")
        let output = try await client(with: [bearer]).getMe()
        guard case .ok(let ok) = output else { throw try KakaoLoginError(unexpected: output) }
        return try ok.body.json
    }

    /// `POST /auth/logout`: ends the session of `refreshToken` (its access tokens stop working too).
    public func logout(refreshToken: String) async throws {
        let output = try await client.logout(body: .json(.init(refreshToken: refreshToken)))
        guard case .noContent = output else { throw try KakaoLoginError(unexpected: output) }
    }
}
