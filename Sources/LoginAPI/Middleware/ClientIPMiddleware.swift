import Hummingbird

/// Resolves ``APIRequestContext/clientIP``: the socket peer, or behind a trusted proxy the
/// rightmost untrusted `X-Forwarded-For` address.
struct ClientIPMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let resolver: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let peer = context.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        context.clientIP = resolver.clientAddress(peer: peer, forwardedFor: request.headers[values: .xForwardedFor])
        return try await next(request, context)
    }
}
