/// Base64url without padding (RFC 4648 §5): the alphabet of JWTs, PKCE, JWKS coordinates, refresh
/// tokens and the login's random secrets. One implementation for every module: it is an encoding,
/// not provider logic, so the emulators and the clients may share it.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The bytes as unpadded base64url text, straight from a table (this runs several times per
    /// login; Foundation's base64 and three string replacements cost far more).
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= input.count {
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(alphabet[Int(group >> 6 & 63)])
            output.append(alphabet[Int(group & 63)])
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            let group = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            if rest == 2 { output.append(alphabet[Int(group >> 6 & 63)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The UTF-8 bytes of `text`, encoded.
    public static func encode(_ text: String) -> String {
        encode(text.utf8)
    }

    /// Decodes base64url; trailing `=` padding is tolerated. With `acceptingStandardAlphabet`,
    /// `+` and `/` (RFC 4648 §4) are read as `-` and `_`, for values a person pasted from
    /// `openssl rand -base64`. Nil for any other character, padding inside the text, or a length
    /// no encoding produces.
    public static func decode(_ text: some StringProtocol, acceptingStandardAlphabet: Bool = false) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var symbols = 0
        var padding = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let value = sextet(byte, acceptingStandardAlphabet: acceptingStandardAlphabet) else { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            symbols += 1
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard symbols % 4 != 1, padding <= 2 else { return nil }
        return output
    }

    /// Whether every character is one of `A–Z a–z 0–9 - _`.
    public static func isAlphabet(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy(isAlphabet(byte:))
    }

    /// Whether `byte` is one of `A–Z a–z 0–9 - _`.
    public static func isAlphabet(byte: UInt8) -> Bool {
        sextet(byte, acceptingStandardAlphabet: false) != nil
    }

    private static func sextet(_ byte: UInt8, acceptingStandardAlphabet: Bool) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(byte - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        case UInt8(ascii: "+") where acceptingStandardAlphabet: 62
        case UInt8(ascii: "/") where acceptingStandardAlphabet: 63
        default: nil
        }
    }
}
