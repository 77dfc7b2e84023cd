import Hummingbird

/// Resolves ``APIRequestContext/clientIP`` — the socket peer, or behind a trusted proxy the
/// rightmost untrusted `X-Forwarded-For` address — and the key limits count it under
/// (``APIRequestContext/clientKey``: the address, or its IPv6 block).
struct ClientIPMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let resolver: ClientAddressResolver
    /// How many leading bits of an IPv6 address name one client (`LOGIN_IPV6_CLIENT_PREFIX`).
    let ipv6PrefixLength: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let peer = context.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        let client = resolver.clientAddress(peer: peer, forwardedFor: request.headers[values: .xForwardedFor])
        context.clientIP = client
        context.clientKey = client.map { IPNetwork(client: $0, ipv6PrefixLength: ipv6PrefixLength) }
        return try await next(request, context)
    }
}
