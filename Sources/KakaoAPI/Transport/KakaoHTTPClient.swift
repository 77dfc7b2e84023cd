import NIOCore
import NIOPosix
import OAuthClientSupport

extension KakaoClientConfiguration {
    /// The HTTP client set up for Kakao: `maxConnectionsPerHost` pooled keep-alive HTTP/1.1
    /// connections per origin, the connect and read timeouts (`ProviderHTTPClient`). The caller
    /// owns it: shut it down after the last call, or run it in a ServiceGroup with
    /// `HTTPClientService` (OAuthClientSupport).
    package func makeHTTPClient(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) -> ProviderHTTPClient {
        ProviderHTTPClient(
            configuration: .init(connectTimeout: connectTimeout, readTimeout: readTimeout, maxConnectionsPerHost: maxConnectionsPerHost),
            eventLoopGroup: eventLoopGroup
        )
    }
}
