import AsyncHTTPClient
import Logging
import NIOCore
import OAuthClientSupport
import ServiceLifecycle

extension KakaoClientConfiguration {
    /// An `HTTPClient` set up for Kakao: `maxConnectionsPerHost` pooled HTTP/1.1 connections
    /// (AsyncHTTPClient's default of 8 would cap a worker at a few dozen logins per second),
    /// redirects never followed (a redirect must not carry a code or secret elsewhere), the
    /// connect and read timeouts, no decompression. The caller owns it: shut it down after the
    /// last call, or run it in a ServiceGroup with ``KakaoHTTPClientService``.
    public func makeHTTPClient(
        eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup,
        backgroundActivityLogger: Logger
    ) -> HTTPClient {
        .forOAuthProvider(
            connectTimeout: connectTimeout,
            readTimeout: readTimeout,
            maxConnectionsPerHost: maxConnectionsPerHost,
            eventLoopGroup: eventLoopGroup,
            backgroundActivityLogger: backgroundActivityLogger
        )
    }
}

/// Runs an `HTTPClient` inside a ServiceGroup: waits for graceful shutdown, then shuts the
/// client down. Put it before the services that call Kakao, so it stops after them.
public struct KakaoHTTPClientService: Service {
    /// The client shut down on graceful shutdown.
    public let httpClient: HTTPClient

    /// - Parameter httpClient: best made with ``KakaoClientConfiguration/makeHTTPClient(eventLoopGroup:backgroundActivityLogger:)``.
    public init(httpClient: HTTPClient) {
        self.httpClient = httpClient
    }

    /// Waits for graceful shutdown (or cancellation), then shuts the client down.
    public func run() async throws {
        try? await gracefulShutdown()
        try await httpClient.shutdown()
    }
}
