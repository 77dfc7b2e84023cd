import Logging
import NIOCore
import NIOHTTP1
import OAuthClientSupport

/// The Sign in with Google client: discovery, the authorization URL, code exchange (PKCE),
/// refresh, ID-token verification against the JWKS, userinfo and revoke. Every call throws only
/// ``GoogleAPIError``, whose class says whether to retry and whose delivery says whether the
/// request reached Google.
///
/// ```swift
/// let configuration = try GoogleClientConfiguration(clientID: id, clientSecret: secret, issuerURL: "http://127.0.0.1:9091")
/// let httpClient = configuration.makeHTTPClient()
/// let google = GoogleClient(configuration: configuration, httpClient: httpClient, logger: logger)
/// let url = try await google.authorizationURL(redirectURI: redirectURI, state: state, codeChallenge: challenge, nonce: nonce, scopes: ["openid", "email", "profile"])
/// let tokens = try await google.exchangeCode(code, redirectURI: redirectURI, codeVerifier: verifier)
/// let claims = try await google.verifyIDToken(tokens.idToken ?? "", nonce: nonce)
/// ```
///
/// Every endpoint comes from the discovery document at
/// ``GoogleClientConfiguration/discoveryURL``, kept as long as its `Cache-Control` allows (at most
/// ``GoogleClientConfiguration/discoveryCacheTTL``); concurrent callers share one fetch. The
/// client does not own `httpClient`: shut it down after the last call (or run it with
/// OAuthClientSupport's `HTTPClientService`). No token, code, secret, email or Google error text is ever
/// logged; log lines carry `google.operation`, `google.status`, `google.error`,
/// `google.error_kind`, `google.error_class`, `google.delivery`, `google.duration_ms` at debug level.
public struct GoogleClient: Sendable {
    /// Client id, URLs, timeouts and limits in use.
    public let configuration: GoogleClientConfiguration
    private let transport: GoogleTransport
    private let discoveryCache = CachedFetch<GoogleDiscoveryDocument, GoogleAPIError>()
    private let verifier: GoogleIDTokenVerifier

    /// - Parameters:
    ///   - configuration: client id, URLs, timeouts and limits.
    ///   - httpClient: best made with ``GoogleClientConfiguration/makeHTTPClient(eventLoopGroup:)``.
    ///   - logger: where the client's debug lines go.
    package init(configuration: GoogleClientConfiguration, httpClient: ProviderHTTPClient, logger: Logger) {
        self.configuration = configuration
        transport = GoogleTransport(configuration: configuration, httpClient: httpClient, logger: logger)
        verifier = GoogleIDTokenVerifier(
            configuration: configuration,
            cache: JWKSCache(minimumRefetchInterval: configuration.jwksMinimumRefetchInterval)
        )
    }

    /// The OpenID configuration, from the cache while its lifetime lasts.
    /// - Throws: ``GoogleAPIError`` of operation `discovery`; kind `invalidConfiguration` when the
    ///   document names another issuer or an endpoint that is not https (loopback http excepted).
    public func discovery() async throws(GoogleAPIError) -> GoogleDiscoveryDocument {
        let transport = self.transport
        let configuration = self.configuration
        return try await discoveryCache.value {
            () async throws(GoogleAPIError) -> CachedFetch<GoogleDiscoveryDocument, GoogleAPIError>.Fetched in
            let (document, lifetime) = try await transport.send(.discovery, .init(method: .GET, url: configuration.discoveryURL)) {
                answer -> (GoogleDiscoveryDocument, Duration?)? in
                GoogleDiscoveryDocument(body: answer.body).map { ($0, answer.headers.cacheLifetime) }
            }
            try Self.check(document, configuration: configuration)
            return .init(value: document, lifetime: min(lifetime ?? configuration.discoveryCacheTTL, configuration.discoveryCacheTTL))
        }
    }

    /// The URL to send the browser to: the discovery document's `authorization_endpoint` with
    /// `response_type=code`, `client_id`, `redirect_uri`, `scope` (space-separated), `state`,
    /// `nonce`, `code_challenge` with `code_challenge_method=S256`, and `login_hint`, `prompt`,
    /// `access_type` when given; every value percent-encoded. `include_granted_scopes` is never
    /// sent: a login asks for exactly the scopes it names.
    public func authorizationURL(
        redirectURI: String,
        state: String,
        codeChallenge: String,
        nonce: String,
        scopes: [String],
        loginHint: String? = nil,
        prompt: String? = nil,
        accessType: String? = nil
    ) async throws(GoogleAPIError) -> String {
        let endpoint = try await discovery().authorizationEndpoint
        var items = [
            ("response_type", "code"), ("client_id", configuration.clientID), ("redirect_uri", redirectURI),
            ("scope", scopes.joined(separator: " ")), ("state", state), ("nonce", nonce), ("code_challenge", codeChallenge),
            ("code_challenge_method", "S256"),
        ]
        if let accessType { items.append(("access_type", accessType)) }
        if let prompt { items.append(("prompt", prompt)) }
        if let loginHint { items.append(("login_hint", loginHint)) }
        return endpoint + (endpoint.contains("?") ? "&" : "?") + FormBody.encode(items)
    }

    /// `POST token_endpoint` with `grant_type=authorization_code` (`client_secret_post`),
    /// `code_verifier` when given.
    public func exchangeCode(_ code: String, redirectURI: String, codeVerifier: String?) async throws(GoogleAPIError) -> GoogleTokenResponse
    {
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)]
        if let codeVerifier { form.append(("code_verifier", codeVerifier)) }
        return try await token(.exchangeCode, form: form)
    }

    /// `POST token_endpoint` with `grant_type=refresh_token`. Google sends no new refresh token:
    /// keep the one you have.
    public func refresh(refreshToken: String) async throws(GoogleAPIError) -> GoogleTokenResponse {
        try await token(.refresh, form: [("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
    }

    /// `GET userinfo_endpoint` with `Authorization: Bearer`.
    public func userInfo(accessToken: String) async throws(GoogleAPIError) -> GoogleUserInfo {
        let endpoint = try await endpoint(.userInfo) { $0.userinfoEndpoint }
        return try await transport.perform(
            .userInfo,
            .init(method: .GET, url: endpoint, authorization: "Bearer " + accessToken),
            as: GoogleUserInfo.self
        )
    }

    /// `POST revocation_endpoint` with `token=` (an access or a refresh token; revoking either
    /// ends the grant). A token Google no longer knows (`invalid_token`) counts as revoked.
    /// - Throws: ``GoogleAPIError`` `invalid_configuration` when discovery has no revocation endpoint.
    public func revoke(token: String) async throws(GoogleAPIError) {
        let endpoint = try await endpoint(.revoke) { $0.revocationEndpoint }
        try await transport.send(
            .revoke,
            .init(method: .POST, url: endpoint, form: [("token", token)]),
            accept: { $0.googleError == .invalidToken && $0.httpStatus == 400 },
            read: { _ in () }
        )
    }

    /// Verifies an ID token against the keys at the discovery document's `jwks_uri` (kept as
    /// long as their `Cache-Control` allows; fetched again for an unknown `kid` at most every
    /// ``GoogleClientConfiguration/jwksMinimumRefetchInterval``): RS256 only, `iss` one of
    /// ``GoogleClientConfiguration/acceptedIssuers``, `aud` the client id, `azp` the client id
    /// when present (required beside several audiences), `exp` and `iat` with
    /// ``GoogleClientConfiguration/idTokenClockSkew``, `nonce` when expected, a non-empty `sub`.
    public func verifyIDToken(_ idToken: String, nonce: String?) async throws(GoogleAPIError) -> GoogleIDTokenClaims {
        let transport = self.transport
        let configuration = self.configuration
        let jwksURI = try await endpoint(.verifyIDToken) { $0.jwksURI }
        return try await verifier.verify(idToken, nonce: nonce) {
            () async throws(GoogleAPIError) -> CachedFetch<[JWK], GoogleAPIError>.Fetched in
            let (document, lifetime) = try await transport.send(.jwks, .init(method: .GET, url: jwksURI)) {
                answer -> (JWKSDocument, Duration?)? in
                JWKSDocument(body: answer.body).map { ($0, answer.headers.cacheLifetime) }
            }
            return .init(value: document.keys, lifetime: min(lifetime ?? configuration.discoveryCacheTTL, configuration.discoveryCacheTTL))
        }
    }

    /// A token-endpoint call: the grant's `form` with `client_id` and `client_secret`.
    private func token(_ operation: GoogleOperation, form: [(String, String)]) async throws(GoogleAPIError) -> GoogleTokenResponse {
        let endpoint = try await endpoint(operation) { $0.tokenEndpoint }
        var form = form + [("client_id", configuration.clientID)]
        if let secret = configuration.clientSecret { form.append(("client_secret", secret)) }
        return try await transport.perform(operation, .init(method: .POST, url: endpoint, form: form), as: GoogleTokenResponse.self)
    }

    /// One endpoint of the discovery document, for `operation` (a discovery failure keeps its own
    /// operation, `discovery`).
    private func endpoint(_ operation: GoogleOperation, _ pick: (GoogleDiscoveryDocument) -> String?) async throws(GoogleAPIError) -> String
    {
        guard let endpoint = pick(try await discovery()) else {
            throw .invalidConfiguration("the discovery document has no endpoint for \(operation.rawValue)", operation: operation)
        }
        return endpoint
    }

    /// The checks of OpenID Connect Discovery 1.0 §4.3 (the issuer is the configured one) and of
    /// this client (every endpoint https, or plain http on loopback).
    private static func check(_ document: GoogleDiscoveryDocument, configuration: GoogleClientConfiguration) throws(GoogleAPIError) {
        func refuse(_ problem: String) -> GoogleAPIError {
            GoogleAPIError(
                .invalidConfiguration,
                operation: .discovery,
                httpStatus: 200,
                delivery: .responded,
                problem: .clientMisconfigured,
                configurationProblem: problem
            )
        }
        var issuer = document.issuer
        while issuer.hasSuffix("/") { issuer.removeLast() }
        guard issuer == configuration.issuerURL else { throw refuse("the discovery document names another issuer") }
        for (name, url) in document.endpoints {
            do {
                _ = try ProviderURL.checked(url, name: name, trimmingTrailingSlash: false)
            } catch {
                throw refuse("discovery: \(error.message)")
            }
        }
    }
}
