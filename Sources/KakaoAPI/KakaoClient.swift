import Logging
import NIOHTTP1
import OAuthClientSupport

/// The Kakao Login client: code exchange, refresh, user/me, token info, logout, unlink, and
/// ID-token verification. Every call throws only ``KakaoAPIError``, whose class says whether
/// to retry and whose delivery says whether the request reached Kakao.
///
/// ```swift
/// let configuration = try KakaoClientConfiguration(restAPIKey: key, authURL: "http://127.0.0.1:9090", apiURL: "http://127.0.0.1:9090")
/// let httpClient = configuration.makeHTTPClient()
/// let kakao = KakaoClient(configuration: configuration, httpClient: httpClient, logger: logger)
/// let tokens = try await kakao.exchangeCode(code, redirectURI: redirectURI, codeVerifier: verifier)
/// let user = try await kakao.userMe(accessToken: tokens.accessToken)
/// ```
///
/// The client does not own `httpClient`: shut it down after the last call (or run it with
/// OAuthClientSupport's `HTTPClientService`). No token, code, secret or Kakao error text is ever logged; log
/// lines carry `kakao.operation`, `kakao.status`, `kakao.error_code`, `kakao.error_class`,
/// `kakao.delivery`, `kakao.duration_ms` at debug level.
public struct KakaoClient: Sendable {
    /// Keys, URLs, timeouts and limits in use.
    public let configuration: KakaoClientConfiguration
    private let transport: KakaoTransport
    private let verifier: KakaoIDTokenVerifier

    /// - Parameters:
    ///   - configuration: keys, URLs, timeouts and limits.
    ///   - httpClient: best made with ``KakaoClientConfiguration/makeHTTPClient(eventLoopGroup:)``.
    ///   - logger: where the client's debug lines go.
    package init(configuration: KakaoClientConfiguration, httpClient: ProviderHTTPClient, logger: Logger) {
        self.configuration = configuration
        transport = KakaoTransport(configuration: configuration, httpClient: httpClient, logger: logger)
        verifier = KakaoIDTokenVerifier(
            configuration: configuration,
            cache: JWKSCache(minimumRefetchInterval: configuration.jwksMinimumRefetchInterval)
        )
    }

    /// `POST /oauth/token` with `grant_type=authorization_code`; `client_secret` when configured,
    /// `code_verifier` when given.
    public func exchangeCode(_ code: String, redirectURI: String, codeVerifier: String?) async throws(KakaoAPIError) -> KakaoTokenResponse {
        var form = [
            ("grant_type", "authorization_code"), ("client_id", configuration.restAPIKey), ("redirect_uri", redirectURI), ("code", code),
        ]
        if let codeVerifier { form.append(("code_verifier", codeVerifier)) }
        if let secret = configuration.clientSecret { form.append(("client_secret", secret)) }
        return try await transport.perform(
            .init(operation: .exchangeCode, method: .POST, url: configuration.authURL + "/oauth/token", form: form),
            as: KakaoTokenResponse.self
        )
    }

    /// `POST /oauth/token` with `grant_type=refresh_token`. The answer has a new refresh token
    /// only when Kakao rotated it (less than a month left): keep the old one otherwise.
    public func refresh(refreshToken: String) async throws(KakaoAPIError) -> KakaoTokenResponse {
        var form = [("grant_type", "refresh_token"), ("client_id", configuration.restAPIKey), ("refresh_token", refreshToken)]
        if let secret = configuration.clientSecret { form.append(("client_secret", secret)) }
        return try await transport.perform(
            .init(operation: .refresh, method: .POST, url: configuration.authURL + "/oauth/token", form: form),
            as: KakaoTokenResponse.self
        )
    }

    /// `GET /v2/user/me?secure_resource=true` (https image URLs).
    public func userMe(accessToken: String) async throws(KakaoAPIError) -> KakaoUser {
        try await transport.perform(
            .init(
                operation: .userMe,
                method: .GET,
                url: configuration.apiURL + "/v2/user/me?secure_resource=true",
                authorization: "Bearer " + accessToken
            ),
            as: KakaoUser.self
        )
    }

    /// `GET /v1/user/access_token_info`.
    public func accessTokenInfo(accessToken: String) async throws(KakaoAPIError) -> KakaoAccessTokenInfo {
        try await transport.perform(
            .init(
                operation: .accessTokenInfo,
                method: .GET,
                url: configuration.apiURL + "/v1/user/access_token_info",
                authorization: "Bearer " + accessToken
            ),
            as: KakaoAccessTokenInfo.self
        )
    }

    /// `POST /v1/user/logout`: expires the user's tokens for this app.
    /// - Returns: the user id.
    public func logout(accessToken: String) async throws(KakaoAPIError) -> Int64 {
        try await transport.perform(
            .init(operation: .logout, method: .POST, url: configuration.apiURL + "/v1/user/logout", authorization: "Bearer " + accessToken),
            as: KakaoUserIDAnswer.self
        ).id
    }

    /// `POST /v1/user/unlink` with the admin key (`KakaoAK`), `target_id_type=user_id`.
    /// - Returns: the user id.
    /// - Throws: ``KakaoAPIError`` `invalid_configuration` when no admin key is configured.
    public func unlink(userID: Int64) async throws(KakaoAPIError) -> Int64 {
        guard let adminKey = configuration.adminKey else {
            throw .invalidConfiguration("unlink needs the admin key (KAKAO_ADMIN_KEY)", operation: .unlink)
        }
        return try await transport.perform(
            .init(
                operation: .unlink,
                method: .POST,
                url: configuration.apiURL + "/v1/user/unlink",
                form: [("target_id_type", "user_id"), ("target_id", String(userID))],
                authorization: "KakaoAK " + adminKey
            ),
            as: KakaoUserIDAnswer.self
        ).id
    }

    /// Verifies an ID token against the JWKS at `authURL + /.well-known/jwks.json` (cached;
    /// fetched again for an unknown `kid` at most every ``KakaoClientConfiguration/jwksMinimumRefetchInterval``):
    /// RS256 only, `iss` = ``KakaoClientConfiguration/idTokenIssuer``, `aud` = the REST API key
    /// (or an additional audience), `exp` with ``KakaoClientConfiguration/idTokenClockSkew``,
    /// `nonce` when expected. Compare the claims' ``KakaoIDTokenClaims/userID`` with user/me's id.
    public func verifyIDToken(_ idToken: String, nonce: String?) async throws(KakaoAPIError) -> KakaoIDTokenClaims {
        let transport = self.transport
        let jwksURL = configuration.authURL + "/.well-known/jwks.json"
        return try await verifier.verify(idToken, nonce: nonce) {
            () async throws(KakaoAPIError) -> CachedFetch<[JWK], KakaoAPIError>.Fetched in
            .init(
                value: try await transport.perform(.init(operation: .jwks, method: .GET, url: jwksURL), as: JWKSDocument.self).keys,
                lifetime: nil
            )
        }
    }
}
