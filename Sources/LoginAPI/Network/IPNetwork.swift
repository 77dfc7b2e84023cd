/// A CIDR block (`10.0.0.0/8`, `fd00::/8`) or a single address: one entry of
/// `LOGIN_TRUSTED_PROXIES`.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    /// Prefix length over the 16-byte form (IPv4 prefixes are stored plus 96).
    private let prefixLength: Int

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
        self.prefixLength = address.isIPv4 ? length + 96 : length
    }

    /// Whether `candidate` lies in this block.
    public func contains(_ candidate: IPAddress) -> Bool {
        let whole = prefixLength / 8
        guard candidate.bytes[0..<whole] == address.bytes[0..<whole] else { return false }
        let rest = prefixLength % 8
        guard rest > 0 else { return true }
        let mask = UInt8(0xFF) << (8 - rest)
        return candidate.bytes[whole] & mask == address.bytes[whole] & mask
    }

    public var description: String {
        "\(address)/\(address.isIPv4 ? prefixLength - 96 : prefixLength)"
    }
}
