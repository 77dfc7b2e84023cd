import Foundation
import OAuthClientSupport

/// How ``KakaoClient`` reaches Kakao. The initialiser validates the URLs (https, or plain http
/// only for loopback hosts) and the limits, so a bad setting fails at start, not per call.
/// `description` never shows the secret or the admin key.
public struct KakaoClientConfiguration: Sendable, CustomStringConvertible {
    /// The app's REST API key (`client_id`), also the expected ID-token `aud`.
    public let restAPIKey: String
    /// The client secret, when the app has it switched on.
    public let clientSecret: String?
    /// The admin key, for ``KakaoClient/unlink(userID:)``.
    public let adminKey: String?
    /// kauth base URL, without a trailing slash (default `https://kauth.kakao.com`).
    public let authURL: String
    /// kapi base URL, without a trailing slash (default `https://kapi.kakao.com`).
    public let apiURL: String
    /// The expected ID-token `iss` (default: `authURL`, so `https://kauth.kakao.com` for Kakao
    /// and the emulator's base URL for the emulator).
    public let idTokenIssuer: String
    /// Other app keys accepted as ID-token `aud` (native or JavaScript keys of the same app).
    public let additionalIDTokenAudiences: [String]
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
    /// Allowed clock difference when checking ID-token `exp`.
    public let idTokenClockSkew: Duration
    /// The JWKS is fetched again for an unknown `kid` at most this often.
    public let jwksMinimumRefetchInterval: Duration

    /// - Throws: ``KakaoAPIError`` of kind `invalidConfiguration` for an empty key, a URL that is
    ///   not https (plain http only for `localhost`, 127.0.0.0/8 and `::1`), has a query, or for
    ///   non-positive limits.
    public init(
        restAPIKey: String,
        clientSecret: String? = nil,
        adminKey: String? = nil,
        authURL: String = "https://kauth.kakao.com",
        apiURL: String = "https://kapi.kakao.com",
        idTokenIssuer: String? = nil,
        additionalIDTokenAudiences: [String] = [],
        connectTimeout: Duration = .seconds(3),
        readTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(15),
        maxConnectionsPerHost: Int = 512,
        maxResponseBytes: Int = 256 * 1024,
        idTokenClockSkew: Duration = .seconds(60),
        jwksMinimumRefetchInterval: Duration = .seconds(5)
    ) throws(KakaoAPIError) {
        guard !restAPIKey.isEmpty else { throw .invalidConfiguration("the REST API key is empty") }
        guard clientSecret?.isEmpty != true, adminKey?.isEmpty != true else {
            throw .invalidConfiguration("the client secret or admin key is set but empty")
        }
        self.restAPIKey = restAPIKey
        self.clientSecret = clientSecret
        self.adminKey = adminKey
        self.authURL = try Self.baseURL(authURL, name: "KAKAO_AUTH_URL")
        self.apiURL = try Self.baseURL(apiURL, name: "KAKAO_API_URL")
        self.idTokenIssuer = idTokenIssuer ?? self.authURL
        self.additionalIDTokenAudiences = additionalIDTokenAudiences
        guard connectTimeout > .zero, readTimeout > .zero, requestTimeout > .zero, idTokenClockSkew >= .zero else {
            throw .invalidConfiguration("timeouts must be positive")
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
    }

    public var description: String {
        "KakaoClientConfiguration(authURL: \(authURL), apiURL: \(apiURL), clientSecret: \(clientSecret == nil ? "off" : "set"), adminKey: \(adminKey == nil ? "none" : "set"))"
    }

    /// `https://host[:port][/path]`, or `http://` for a loopback host; trailing slash removed.
    private static func baseURL(_ text: String, name: String) throws(KakaoAPIError) -> String {
        do {
            return try ProviderURL.checked(text, name: name, trimmingTrailingSlash: true)
        } catch {
            throw .invalidConfiguration(error.message)
        }
    }
}
