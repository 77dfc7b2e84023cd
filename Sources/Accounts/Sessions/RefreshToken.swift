import Base64Coding
import Crypto
import Foundation

/// An opaque refresh token: 32 bytes (256 bits) as 43 characters of unpadded base64url.
///
/// The first token of a session is random; every later one is derived from its parent,
/// `base64url(HMAC-SHA256(derivationKey, parent))`, so a client that lost the answer to a
/// refresh can be handed the same child again without the child ever being stored. Only
/// ``hash`` (SHA-256 of the token's text) reaches the database.
struct RefreshToken: Sendable {
    static let length = 43

    /// The token's text, as the client holds it.
    let text: String

    /// A presented token, or nil when it cannot be one of ours (wrong length or alphabet):
    /// such input is refused without a database round trip.
    init?(presented text: String) {
        guard text.utf8.count == Self.length, Base64URL.isAlphabet(text) else { return nil }
        self.text = text
    }

    private init(bytes: some DataProtocol) {
        text = Base64URL.encode(bytes)
    }

    /// A new random token (the system's CSPRNG).
    static func random() -> RefreshToken {
        RefreshToken(bytes: SecureRandom.bytes(32))
    }

    /// The child this token rotates to: the same for the same parent and key.
    func child(derivationKey: SymmetricKey) -> RefreshToken {
        RefreshToken(bytes: Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: derivationKey)))
    }

    /// SHA-256 of the token's text: `refresh_tokens.token_hash`.
    var hash: [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }
}
