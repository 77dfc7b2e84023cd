import Base64Coding
import Foundation
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    /// Foundation's base64 with the URL alphabet and no padding: what RFC 4648 §5 says.
    static func reference(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test func encodesAsFoundationDoesWithTheURLAlphabetAndNoPadding() {
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max) }
            #expect(Base64URL.encode(bytes) == Self.reference(bytes), "\(length) bytes")
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode("{\"alg\":\"RS256\"}") == "eyJhbGciOiJSUzI1NiJ9")
    }

    @Test func decodesWhatItEncodes() {
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes, "\(length) bytes")
        }
    }

    @Test func toleratesTrailingPaddingAndTheStandardAlphabetOnlyWhenAsked() {
        #expect(Base64URL.decode("-_8=") == [0xFB, 0xFF])
        #expect(Base64URL.decode("+/8=") == nil)
        #expect(Base64URL.decode("+/8=", acceptingStandardAlphabet: true) == [0xFB, 0xFF])
    }

    @Test(arguments: ["a", "abcde", "ab=c", "ab c", "ab\u{0}c", "abc===", "é"])
    func refusesWhatNoEncodingProduces(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func knowsItsAlphabet() {
        #expect(Base64URL.isAlphabet("AZaz09-_"))
        #expect(!Base64URL.isAlphabet("a+b"))
        #expect(!Base64URL.isAlphabet("a=b"))
        #expect(Base64URL.isAlphabet(""))
    }
}
