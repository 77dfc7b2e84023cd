import Hummingbird
import Logging
import NIOCore

/// The per-request context of the API: Hummingbird's core storage, the socket peer, and the
/// client address and key that ``ClientIPMiddleware`` resolved from it (and, behind a trusted
/// proxy, from `X-Forwarded-For`).
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket peer; `nil` when the request did not come over a socket (router tests).
    public let remoteAddress: SocketAddress?
    /// The client's address (the socket peer, or behind a trusted proxy the forwarded one).
    public var clientIP: IPAddress?
    /// What rate limits and caps count against: ``clientIP``, or for IPv6 its /64 (configurable).
    public var clientKey: IPNetwork?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
        clientIP = nil
        clientKey = nil
    }
}
