import AsyncHTTPClient
import Logging
import NIOCore
import OAuthClientSupport
import ServiceLifecycle

extension GoogleClientConfiguration {
    /// An `HTTPClient` set up for Google: `maxConnectionsPerHost` pooled connections, redirects
    /// never followed (a redirect must not carry a code or secret elsewhere), the connect and read
    /// timeouts, no decompression. The caller owns it: shut it down after the last call, or run it
    /// in a ServiceGroup with ``GoogleHTTPClientService``.
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
/// client down. Put it before the services that call Google, so it stops after them.
public struct GoogleHTTPClientService: Service {
    /// The client shut down on graceful shutdown.
    public let httpClient: HTTPClient

    /// - Parameter httpClient: best made with ``GoogleClientConfiguration/makeHTTPClient(eventLoopGroup:backgroundActivityLogger:)``.
    public init(httpClient: HTTPClient) {
        self.httpClient = httpClient
    }

    /// Waits for graceful shutdown (or cancellation), then shuts the client down.
    public func run() async throws {
        try? await gracefulShutdown()
        try await httpClient.shutdown()
    }
}
