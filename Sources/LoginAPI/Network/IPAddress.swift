#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, stored as 16 bytes (IPv4 as `::ffff:a.b.c.d`, so an IPv4 client
/// counts the same whether the socket is IPv4 or dual-stack).
///
/// The bytes are held as two integers, not an array: the rate limiters keep one address per
/// client seen, so a key must cost no heap allocation and hash cheaply.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// Bytes 0–7 and 8–15, big-endian.
    let high: UInt64
    let low: UInt64

    /// The address in network byte order; IPv4 is IPv4-mapped.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: high.bigEndian) { Array($0) } + withUnsafeBytes(of: low.bigEndian) { Array($0) }
    }

    /// Parses dotted IPv4 or RFC 4291 IPv6 text (no brackets, no zone, no port).
    public init?(_ text: some StringProtocol) {
        // Plain byte buffers, not `in_addr()`/`in6_addr()`: in release builds those C initialisers
        // resolve to NIO's CNIOLinux module, which this module does not import.
        let text = String(text)
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + v4)
            return
        }
        var v6 = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(bytes: v6)
            return
        }
        return nil
    }

    /// From 16 bytes in network byte order.
    init(bytes: [UInt8]) {
        high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// From the two halves of the 16-byte form.
    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// True for an IPv4 (or IPv4-mapped) address.
    public var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// `127.0.0.0/8` or `::1`.
    public var isLoopback: Bool {
        isIPv4 ? (low >> 24) & 0xFF == 127 : high == 0 && low == 1
    }

    /// Dotted text for IPv4, canonical RFC 5952 text for IPv6: what PostgreSQL's `inet` reads.
    public var description: String {
        if isIPv4 { return [24, 16, 8, 0].map { String((low >> $0) & 0xFF) }.joined(separator: ".") }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, bytes, &buffer, socklen_t(buffer.count)) != nil else { return "::" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
