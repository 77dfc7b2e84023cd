import AsyncHTTPClient
import Logging
import NIOCore
import OAuthClientSupport

extension KakaoClientConfiguration {
    /// An `HTTPClient` set up for Kakao: `maxConnectionsPerHost` pooled HTTP/1.1 connections
    /// (AsyncHTTPClient's default of 8 would cap a worker at a few dozen logins per second),
    /// redirects never followed (a redirect must not carry a code or secret elsewhere), the
    /// connect and read timeouts, no decompression. The caller owns it: shut it down after the
    /// last call, or run it in a ServiceGroup with `HTTPClientService` (OAuthClientSupport).
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
