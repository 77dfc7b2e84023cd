import Accounts
import HTTPTypes
import Hummingbird

extension SessionDevice {
    /// The client of `request` as a session records it: its `User-Agent`'s family and its
    /// address (``APIRequestContext/clientIP``) cut to an IPv4 /24 or an IPv6 /48.
    init(request: Request, context: APIRequestContext) {
        self.init(
            userAgentFamily: Self.family(ofUserAgent: request.headers[.userAgent]),
            clientNetwork: context.clientIP.map { IPNetwork(client: $0, ipv4PrefixLength: 24, ipv6PrefixLength: 48).description }
        )
    }
}
