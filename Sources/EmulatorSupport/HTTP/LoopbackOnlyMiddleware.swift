import Hummingbird
import NIOCore

/// Guards the `/_emulator/*` route group: a peer that is not on loopback gets what a path
/// nobody serves gets (the router's own 404, in the emulator's shape) and the route never runs.
///
/// It runs where the route was matched, so every spelling the router resolves to a control
/// route (`//_emulator/codes`, `/_emulator//codes/`, …) meets it; a prefix test on the raw path
/// before routing would not. Requests that pass are counted under their route's path.
package struct LoopbackOnlyMiddleware: RouterMiddleware {
    package typealias Context = EmulatorRequestContext

    /// Where the control routes live.
    package static let controlPrefix = "/_emulator/"

    let counters: EmulatorCounters

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isLoopback(context.channel.remoteAddress) else { throw HTTPError(.notFound) }
        counters.countControlRequest(toPath: context.endpointPath ?? "")
        return try await next(request, context)
    }

    /// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback peers (and Unix sockets).
    package static func isLoopback(_ address: SocketAddress?) -> Bool {
        switch address {
        case .v4:
            return address?.ipAddress?.hasPrefix("127.") ?? false
        case .v6:
            guard let ip = address?.ipAddress?.lowercased() else { return false }
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case .unixDomainSocket:
            return true
        case nil:
            return false
        }
    }
}
