import Foundation

/// Decides which address a request counts against: the socket peer, unless the peer is a
/// trusted proxy, in which case the rightmost address of `X-Forwarded-For` that is not itself a
/// trusted proxy (addresses left of it were written by the client and prove nothing).
struct ClientAddressResolver: Sendable {
    let trustedProxies: [IPNetwork]

    func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// - Parameters:
    ///   - peer: the socket peer; `nil` without a socket.
    ///   - forwardedFor: every `X-Forwarded-For` field value, in order.
    func clientAddress(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard var client = peer, isTrusted(client) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingHTTPWhitespace() }
        for hop in hops.reversed() {
            // A hop that does not parse was not written by a proxy we trust: stop at the last
            // address a trusted proxy vouched for.
            guard let address = IPAddress(hop) else { return client }
            client = address
            if !isTrusted(address) { return address }
        }
        return client
    }
}
