import Foundation
import LoginQueue
import Testing

/// Fingerprints dedupe codes and tokens across every process and deploy that shares the sealing
/// keys: their values must never change, whatever is cached.
@Suite("Sealing keys: fingerprints")
struct FingerprintTests {
    static let first = try! SealingKeys.Key(id: "k1", bytes: Data((0..<32).map { UInt8($0) }))
    static let second = try! SealingKeys.Key(id: "k2", bytes: Data(repeating: 7, count: 32))

    @Test("HMAC-SHA256 under the key HKDF derives for the purpose (values computed outside Swift)")
    func knownAnswers() throws {
        let keys = try SealingKeys([Self.first])
        let code = keys.fingerprints(of: "an-authorization-code", purpose: .code)
        let token = keys.fingerprints(of: "an-authorization-code", purpose: .appToken)
        #expect(code.map(Self.hex) == ["49271d244a5291a91f3d8aeab0306452bc078bdf15e6f7b854ae47d7eadde395"])
        #expect(token.map(Self.hex) == ["ff96f0140f6cfcae5aca1629f8312b30ace9a5f9e3736c2c44f33a4e15c5383c"])
        // The poll token of a native app's login, and the sessions' refresh-token derivation key:
        // a change would orphan every pending app login and every refresh token.
        let reader = keys.fingerprints(of: "an-authorization-code", purpose: .appTokenReader)
        let sessions = keys.fingerprints(of: "an-authorization-code", purpose: .sessions)
        #expect(reader.map(Self.hex) == ["9847b29db816ba60d96c9b4a31a58f5b6e0ab9a6387cb6232baf9ef7100973dd"])
        #expect(sessions.map(Self.hex) == ["f2e15ab18c547d1db4c932be74a8c1aeb5521dbae2df87f5fd242de9dd6282d1"])
    }

    @Test("one per key, the sealing key's first; the same message under another purpose shares none")
    func rotationAndPurposes() throws {
        let rotated = try SealingKeys([Self.second, Self.first])
        let before = try SealingKeys([Self.first]).fingerprints(of: "c", purpose: .code)
        let after = rotated.fingerprints(of: "c", purpose: .code)
        #expect(after.count == 2)
        #expect(after[1] == before[0])
        #expect(after[0] != before[0])
        let all = FingerprintPurpose.allCases.flatMap { rotated.fingerprints(of: "c", purpose: $0) }
        #expect(Set(all).count == FingerprintPurpose.allCases.count * 2)
    }

    private static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
