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
        self.address = address
        let prefixLength = address.isIPv4 ? length + 96 : length
        func ones(_ count: Int) -> UInt64 { count <= 0 ? 0 : count >= 64 ? .max : .max << (64 - count) }
        self.prefixLength = prefixLength
        self.highMask = ones(prefixLength)
        self.lowMask = ones(prefixLength - 64)
    }

    /// Whether `candidate` lies in this block.
    public func contains(_ candidate: IPAddress) -> Bool {
        candidate.high & highMask == address.high & highMask && candidate.low & lowMask == address.low & lowMask
    }

    public var description: String {
        "\(address)/\(address.isIPv4 ? prefixLength - 96 : prefixLength)"
    }
}
