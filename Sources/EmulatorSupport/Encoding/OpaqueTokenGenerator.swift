/// Makes the opaque strings the emulator hands out as codes and tokens: random, URL-safe,
/// never JWTs (Kakao's access and refresh tokens are opaque too).
package enum OpaqueTokenGenerator {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A random string of `length` characters from the base64url alphabet (6 bits each).
    package static func make(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        while bytes.count < length {
            var word = generator.next() as UInt64
            for _ in 0..<10 where bytes.count < length {
                bytes.append(alphabet[Int(word & 0x3F)])
                word >>= 6
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
