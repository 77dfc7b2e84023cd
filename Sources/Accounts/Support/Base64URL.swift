import Foundation

/// Unpadded base64url (RFC 4648 §5), the alphabet of refresh tokens and JWKS coordinates.
enum Base64URL {
    static func encode(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether every character is one of `A–Z a–z 0–9 - _`.
    static func isAlphabet(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy(isAlphabet(byte:))
    }

    /// Whether `byte` is one of `A–Z a–z 0–9 - _`.
    static func isAlphabet(byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}
