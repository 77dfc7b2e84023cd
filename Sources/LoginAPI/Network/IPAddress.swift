#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, stored as 16 bytes (IPv4 as `::ffff:a.b.c.d`, so an IPv4 client
/// counts the same whether the socket is IPv4 or dual-stack).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address in network byte order; IPv4 is IPv4-mapped.
    public let bytes: [UInt8]

    /// Parses dotted IPv4 or RFC 4291 IPv6 text (no brackets, no zone, no port).
    public init?(_ text: some StringProtocol) {
        // Plain byte buffers, not `in_addr()`/`in6_addr()`: in release builds those C initialisers
        // resolve to NIO's CNIOLinux module, which this module does not import.
        let text = String(text)
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = Self.v4MappedPrefix + v4
            return
        }
        var v6 = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = v6
            return
        }
        return nil
    }

    private static let v4MappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]

    /// True for an IPv4 (or IPv4-mapped) address.
    public var isIPv4: Bool { Array(bytes[0..<12]) == Self.v4MappedPrefix }

    /// `127.0.0.0/8` or `::1`.
    public var isLoopback: Bool {
        isIPv4 ? bytes[12] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    /// Dotted text for IPv4, canonical RFC 5952 text for IPv6: what PostgreSQL's `inet` reads.
    public var description: String {
        if isIPv4 { return bytes[12...].map { String($0) }.joined(separator: ".") }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, bytes, &buffer, socklen_t(buffer.count)) != nil else { return "::" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
