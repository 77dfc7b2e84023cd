import Base64Coding
import Crypto

/// RFC 7636 S256: `code_challenge = base64url(SHA256(code_verifier))`.
enum PKCE {
    /// True when there was no challenge, or the verifier hashes to it.
    static func verifies(verifier: String?, challenge: String?) -> Bool {
        guard let challenge else { return true }
        guard let verifier, isWellFormed(verifier) else { return false }
        return Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8)))) == challenge
    }

    /// 43–128 characters of `[A-Za-z0-9-._~]`, for verifiers and S256 challenges alike.
    static func isWellFormed(_ value: String) -> Bool {
        (43...128).contains(value.utf8.count)
            && value.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    true
                default: false
                }
            }
    }
}
