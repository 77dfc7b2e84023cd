import Foundation
import OAuthClientSupport

/// How ``GoogleClient`` reaches Google. The initialiser validates the URLs (https, or plain http
/// only for loopback hosts), the client id and the limits, so a bad setting fails at start, not
/// per call. `description` never shows the secret.
public struct GoogleClientConfiguration: Sendable, CustomStringConvertible {
    /// The OAuth client id (`….apps.googleusercontent.com`), also the expected ID-token `aud`.
    public let clientID: String
    /// The client secret (`client_secret_post`); nil for an installed app without one.
    public let clientSecret: String?
    /// The issuer, without a trailing slash (default `https://accounts.google.com`).
    public let issuerURL: String
    /// Where the OpenID configuration is read (default: `issuerURL` + `/.well-known/openid-configuration`).
    public let discoveryURL: String
    /// The ID-token `iss` values accepted. Google writes its issuer two ways (`https://accounts.google.com`
    /// and, on legacy paths, `accounts.google.com`), so the default is the issuer URL and its form
    /// without the scheme.
    public let acceptedIssuers: [String]
    /// Connect timeout of every call.
    public let connectTimeout: Duration
    /// Longest wait for the next bytes of an answer.
    public let readTimeout: Duration
    /// Longest whole call, connection wait included.
    public let requestTimeout: Duration
    /// HTTP/1.1 connections kept per host: at least the worker's jobs in flight.
    public let maxConnectionsPerHost: Int
    /// Largest answer read; larger ones are errors.
    public let maxResponseBytes: Int
    /// Allowed clock difference when checking ID-token `exp` and `iat`.
    public let idTokenClockSkew: Duration
    /// The JWKS is fetched again for an unknown `kid` at most this often.
    public let jwksMinimumRefetchInterval: Duration
    /// How long the discovery document and the JWKS are kept when Google's `Cache-Control`
    /// says nothing; a `max-age` longer than this is cut to it.
    public let discoveryCacheTTL: Duration

    /// - Parameters:
    ///   - clientID: the OAuth client id.
    ///   - clientSecret: the client secret; nil for a client without one.
    ///   - issuerURL: Google's issuer, or the emulator's base URL.
    ///   - discoveryURL: nil: `issuerURL` + `/.well-known/openid-configuration`.
    ///   - acceptedIssuers: nil: `issuerURL` and its form without the scheme.
    /// - Throws: ``GoogleAPIError`` of kind `invalidConfiguration` for an empty client id or
    ///   secret, a URL that is not https (plain http only for `localhost`, 127.0.0.0/8 and `::1`)
    ///   or has a query, or for non-positive limits.
    public init(
        clientID: String,
        clientSecret: String?,
        issuerURL: String = "https://accounts.google.com",
        discoveryURL: String? = nil,
        acceptedIssuers: [String]? = nil,
        connectTimeout: Duration = .seconds(3),
        readTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(15),
        maxConnectionsPerHost: Int = 512,
        maxResponseBytes: Int = 256 * 1024,
        idTokenClockSkew: Duration = .seconds(60),
        jwksMinimumRefetchInterval: Duration = .seconds(5),
        discoveryCacheTTL: Duration = .seconds(3600)
    ) throws(GoogleAPIError) {
        guard !clientID.isEmpty, !clientID.contains(where: \.isWhitespace) else {
            throw .invalidConfiguration("the client id is empty or has white space")
        }
        guard clientSecret?.isEmpty != true else { throw .invalidConfiguration("the client secret is set but empty") }
        self.clientID = clientID
        self.clientSecret = clientSecret
        do {
            self.issuerURL = try ProviderURL.checked(issuerURL, name: "GOOGLE_ISSUER_URL", trimmingTrailingSlash: true)
            self.discoveryURL = try ProviderURL.checked(
                discoveryURL ?? self.issuerURL + "/.well-known/openid-configuration",
                name: "the discovery URL",
                trimmingTrailingSlash: false
            )
        } catch {
            throw .invalidConfiguration(error.message)
        }
        let issuers = acceptedIssuers ?? Self.issuerForms(self.issuerURL)
        guard !issuers.isEmpty, !issuers.contains(where: \.isEmpty) else {
            throw .invalidConfiguration("the accepted issuers are empty")
        }
        self.acceptedIssuers = issuers
        guard connectTimeout > .zero, readTimeout > .zero, requestTimeout > .zero, discoveryCacheTTL > .zero,
            idTokenClockSkew >= .zero, jwksMinimumRefetchInterval >= .zero
        else {
            throw .invalidConfiguration("timeouts and cache lifetimes must be positive")
        }
        guard maxConnectionsPerHost >= 1, maxResponseBytes >= 1024 else {
            throw .invalidConfiguration("maxConnectionsPerHost must be at least 1 and maxResponseBytes at least 1024")
        }
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.requestTimeout = requestTimeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxResponseBytes = maxResponseBytes
        self.idTokenClockSkew = idTokenClockSkew
        self.jwksMinimumRefetchInterval = jwksMinimumRefetchInterval
        self.discoveryCacheTTL = discoveryCacheTTL
    }

    public var description: String {
        "GoogleClientConfiguration(issuerURL: \(issuerURL), discoveryURL: \(discoveryURL), clientSecret: \(clientSecret == nil ? "none" : "set"), acceptedIssuers: \(acceptedIssuers))"
    }

    /// The issuer URL and the same without its scheme (`https://accounts.google.com` and
    /// `accounts.google.com`).
    static func issuerForms(_ issuerURL: String) -> [String] {
        guard let range = issuerURL.range(of: "://") else { return [issuerURL] }
        return [issuerURL, String(issuerURL[range.upperBound...])]
    }
}
