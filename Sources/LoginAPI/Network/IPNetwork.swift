/// A CIDR block (`10.0.0.0/8`, `fd00::/8`) or a single address: one entry of
/// `LOGIN_TRUSTED_PROXIES`.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    /// Prefix length over the 16-byte form (IPv4 prefixes are stored plus 96).
    private let prefixLength: Int
    /// The prefix as masks over the address's two halves, computed once when parsed.
    private let highMask: UInt64
    private let lowMask: UInt64

    /// Parses `address` or `address/prefix`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maximum = address.isIPv4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maximum).contains(parsed) else { return nil }
            length = parsed
        }
        self.init(address: address, prefixLength: address.isIPv4 ? length + 96 : length)
    }

    /// The block of `prefixLength` bits (over the 16-byte form) around `address`.
    private init(address: IPAddress, prefixLength: Int) {
        func ones(_ count: Int) -> UInt64 { count <= 0 ? 0 : count >= 64 ? .max : .max << (64 - count) }
        self.address = address
        self.prefixLength = prefixLength
        self.highMask = ones(prefixLength)
        self.lowMask = ones(prefixLength - 64)
    }

    /// The block a client address counts as for rate limits and caps: the address itself for
    /// IPv4, its first `ipv6PrefixLength` bits for IPv6 (one subscriber usually holds a whole
    /// /64, so counting single IPv6 addresses would let one client be millions). The host bits
    /// are zeroed, so every address of the block makes an equal key. `ipv4PrefixLength` cuts
    /// IPv4 addresses the same way (a session's recorded network: a /24).
    public init(client address: IPAddress, ipv4PrefixLength: Int = 32, ipv6PrefixLength: Int) {
        let length = address.isIPv4 ? 96 + min(32, max(0, ipv4PrefixLength)) : min(128, max(0, ipv6PrefixLength))
        let block = IPNetwork(address: address, prefixLength: length)
        self.init(address: IPAddress(high: address.high & block.highMask, low: address.low & block.lowMask), prefixLength: length)
    }

    /// Whether `candidate` lies in this block.
    public func contains(_ candidate: IPAddress) -> Bool {
        candidate.high & highMask == address.high & highMask && candidate.low & lowMask == address.low & lowMask
    }

    /// `address/prefix`, as PostgreSQL's `inet` reads it.
    public var description: String {
        "\(address)/\(address.isIPv4 ? prefixLength - 96 : prefixLength)"
    }
}
