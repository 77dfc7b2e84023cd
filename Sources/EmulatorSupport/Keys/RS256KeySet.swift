import Base64Coding
import Crypto
import Foundation
import Synchronization
import _CryptoExtras

/// An emulator's ID-token keys: RSA-2048, RS256, published as a JWKS. Signing builds the JWT by
/// hand (a precomputed header segment, the payload text, one RSA signature by ``RS256Signer``):
/// no JSON encoder on the hot path. Keys rotate at run time; retired keys stay published.
package final class RS256KeySet: Sendable {
    /// How a key's `kid` is made from its public key (SHA-256 of the DER encoding).
    package enum KeyIDStyle: Sendable {
        /// base64url of the first 16 bytes (22 characters).
        case base64URL
        /// 40 lowercase hex digits, like Google's.
        case hex40
    }

    /// Which key signs after a rotation (which published key signs new tokens is undocumented).
    package enum Rotation: Sendable {
        /// The new key signs at once; the old one stays published.
        case immediate
        /// A key is published one rotation before it signs: there is always a next key in the
        /// JWKS, and a rotation makes it the signing key and publishes a new next key.
        case publishAhead
    }

    private struct Key: Sendable {
        let kid: String
        let privateKey: _RSA.Signing.PrivateKey
        let signer: RS256Signer
        let headerSegment: String
        let jwk: String

        init(_ privateKey: _RSA.Signing.PrivateKey, style: KeyIDStyle) throws(EmulatorError) {
            let publicKey = privateKey.publicKey
            guard let primitives = try? publicKey.getKeyPrimitives(),
                let signer = RS256Signer(derPrivateKey: Array(privateKey.derRepresentation))
            else { throw EmulatorError(.invalidConfiguration, "OpenSSL cannot read the ID-token signing key") }
            let digest = Array(SHA256.hash(data: publicKey.derRepresentation))
            self.privateKey = privateKey
            self.signer = signer
            self.kid =
                switch style {
                case .base64URL: Base64URL.encode(digest.prefix(16))
                case .hex40: digest.prefix(20).map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
                }
            self.headerSegment = Base64URL.encode(#"{"alg":"RS256","kid":"\#(kid)","typ":"JWT"}"#)
            var jwk = JSONObjectWriter()
            jwk.add("kid", kid)
            jwk.add("kty", "RSA")
            jwk.add("alg", "RS256")
            jwk.add("use", "sig")
            jwk.add("n", Base64URL.encode(primitives.modulus))
            jwk.add("e", Base64URL.encode(primitives.publicExponent))
            self.jwk = jwk.finish()
        }
    }

    private struct Keys {
        var signing: Key
        /// Published, not yet signing (``Rotation/publishAhead``).
        var next: Key?
        var retired: [Key] = []

        var published: [Key] { [signing] + (next.map { [$0] } ?? []) + retired }
    }

    private let keys: Mutex<Keys>
    private let style: KeyIDStyle
    private let rotation: Rotation

    /// Uses the PEM private key when given, else generates one (and, publishing ahead, one more).
    package init(privateKeyPEM: String? = nil, keyIDStyle: KeyIDStyle, rotation: Rotation) throws(EmulatorError) {
        let signing: Key
        do {
            let privateKey = try privateKeyPEM.map { try _RSA.Signing.PrivateKey(pemRepresentation: $0) } ?? Self.generate()
            signing = try Key(privateKey, style: keyIDStyle)
        } catch {
            throw EmulatorError(.invalidConfiguration, "the ID-token signing key is not a usable RSA private key")
        }
        let next = rotation == .publishAhead ? try Key(try Self.generate(), style: keyIDStyle) : nil
        keys = Mutex(Keys(signing: signing, next: next))
        style = keyIDStyle
        self.rotation = rotation
    }

    private static func generate() throws(EmulatorError) -> _RSA.Signing.PrivateKey {
        do {
            return try _RSA.Signing.PrivateKey(keySize: .bits2048)
        } catch {
            throw EmulatorError(.invalidConfiguration, "RSA key generation failed")
        }
    }

    /// The kid new ID tokens carry.
    package var currentKID: String { keys.withLock { $0.signing.kid } }

    /// Every published kid, in JWKS order (the signing key first).
    package var publishedKIDs: [String] { keys.withLock { $0.published.map(\.kid) } }

    /// Rotates (see ``Rotation``); no key is unpublished.
    package func rotate() throws(EmulatorError) {
        let fresh = try Key(try Self.generate(), style: style)
        keys.withLock { keys in
            keys.retired.insert(keys.signing, at: 0)
            switch rotation {
            case .immediate:
                keys.signing = fresh
            case .publishAhead:
                keys.signing = keys.next ?? fresh
                keys.next = fresh
            }
        }
    }

    /// `{"keys":[…]}`, signing key first.
    package var jwksJSON: String {
        let published = keys.withLock { $0.published }
        return #"{"keys":["# + published.map(\.jwk).joined(separator: ",") + "]}"
    }

    /// `header.payload.signature` for a payload given as JSON text.
    package func sign(payloadJSON: String) throws(EmulatorError) -> String {
        let key = keys.withLock { $0.signing }
        let signingInput = key.headerSegment + "." + Base64URL.encode(payloadJSON)
        guard let signature = key.signer.sign(Array(signingInput.utf8)) else {
            throw EmulatorError(.invalidConfiguration, "OpenSSL could not sign an ID token")
        }
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// The kid and payload bytes of a JWT signed with a key still published; nil when the token
    /// is malformed, names another key or algorithm, or its signature is wrong.
    package func verified(_ token: String) -> (kid: String, payload: [UInt8])? {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3,
            let headerBytes = Base64URL.decode(segments[0]),
            let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
            header["alg"] as? String == "RS256", let kid = header["kid"] as? String,
            let payload = Base64URL.decode(segments[1]), let signature = Base64URL.decode(segments[2])
        else { return nil }
        let key = keys.withLock { keys in keys.published.first { $0.kid == kid } }
        guard let key,
            key.privateKey.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: Array(token.utf8.prefix(segments[0].utf8.count + 1 + segments[1].utf8.count)),
                padding: .insecurePKCS1v1_5
            )
        else { return nil }
        return (kid, payload)
    }
}
