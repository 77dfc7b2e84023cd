import Hummingbird
import Logging
import NIOCore

/// The per-request context of the API: Hummingbird's core storage, the socket peer, and the
/// client address that ``ClientIPMiddleware`` resolved from it (and, behind a trusted proxy,
/// from `X-Forwarded-For`).
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket peer; `nil` when the request did not come over a socket (router tests).
    public let remoteAddress: SocketAddress?
    /// The address rate limits and the pending-attempt cap count against.
    public var clientIP: IPAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
        clientIP = nil
    }
}
