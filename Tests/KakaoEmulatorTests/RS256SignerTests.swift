import Crypto
import Testing
import _CryptoExtras

@testable import KakaoEmulator

/// The emulator signs ID tokens with OpenSSL (``RS256Signer``) and publishes keys with
/// swift-crypto: both must agree on every signature.
@Suite("RS256 signer")
struct RS256SignerTests {
    @Test("its signatures are swift-crypto's, byte for byte, and verify with the published key", arguments: [0, 1, 300, 4096])
    func sameAsSwiftCrypto(length: Int) throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let signer = try #require(RS256Signer(derPrivateKey: Array(key.derRepresentation)))
        let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let signature = try #require(signer.sign(message))
        let expected = try key.signature(for: message, padding: .insecurePKCS1v1_5)
        #expect(signature == Array(expected.rawRepresentation))
        #expect(
            key.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: message,
                padding: .insecurePKCS1v1_5
            )
        )
    }

    @Test("a PKCS#8 key signs the same as its PKCS#1 form")
    func pkcs8() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let pkcs1 = try #require(RS256Signer(derPrivateKey: Array(key.derRepresentation)))
        let pkcs8 = try #require(RS256Signer(derPrivateKey: Array(key.pkcs8DERRepresentation)))
        #expect(pkcs1.sign(Array("header.payload".utf8)) == pkcs8.sign(Array("header.payload".utf8)))
    }

    @Test(
        "bytes that are not a private key are refused",
        arguments: [[], [0x30, 0x03, 0x02, 0x01, 0x00], Array(repeating: 0xFF, count: 64)] as [[UInt8]]
    )
    func notAKey(der: [UInt8]) {
        #expect(RS256Signer(derPrivateKey: der) == nil)
    }

    @Test("many tasks sign with one key at once")
    func concurrent() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let signer = try #require(RS256Signer(derPrivateKey: Array(key.derRepresentation)))
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let message = Array("token-\(index)".utf8)
                    guard let signature = signer.sign(message) else { return false }
                    return key.publicKey.isValidSignature(
                        _RSA.Signing.RSASignature(rawRepresentation: signature),
                        for: message,
                        padding: .insecurePKCS1v1_5
                    )
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
    }
}
