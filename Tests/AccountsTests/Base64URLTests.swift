import Accounts
import Foundation
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    @Test func matchesFoundationsBase64WithTheURLAlphabetAndNoPadding() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            #expect(Base64URL.encode(bytes) == AccessTokenKeysTests.base64URL(bytes), "\(length) bytes")
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }
}
