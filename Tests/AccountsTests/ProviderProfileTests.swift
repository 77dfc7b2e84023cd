import Accounts
import Foundation
import Testing

@Suite("ProviderProfile: normalised fields")
struct ProviderProfileTests {
    /// What the fields were normalised with before it was done in pure Swift: Foundation's
    /// trimming, after the NULs were dropped.
    static func foundationNormalized(_ value: String) -> String? {
        let cleaned = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\0" }))
        let trimmed = cleaned.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    static let samples: [String] = [
        "", " ", "  \t\n\r ", "\0", " \0 ", "a\0b", "\0 x \0", "x", "카카오 사용자", " 카카오 ", "\u{3000}이름\u{3000}",
        "\u{00A0}nbsp\u{00A0}", "\u{2028}line\u{2029}", "\u{0085}next\u{000B}\u{000C}", "\u{200B}zero width\u{200B}",
        "\u{FEFF}bom", "e\u{0301} ", " \u{0301}", "👩‍👩‍👧 ", "\u{1680}ogham\u{205F}", "a \u{2009} b",
        "https://k.kakaocdn.net/dn/img.jpg\n", "user@example.com",
    ]

    @Test("trimming and NUL removal agree with Foundation's", arguments: samples)
    func agreesWithFoundation(_ value: String) {
        let profile = ProviderProfile(provider: "kakao", subject: "1", nickname: value, profileImageURL: value, email: value)
        let expected = Self.foundationNormalized(value)
        #expect(profile.nickname == expected)
        #expect(profile.profileImageURL == expected)
        #expect(profile.email == expected)
    }

    @Test("every whitespace scalar of the Basic Multilingual Plane is trimmed as Foundation trims it")
    func everyWhitespaceScalar() {
        for code in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(code), scalar != "\0" else { continue }
            let value = "\(Character(scalar))x\(Character(scalar))"
            #expect(
                ProviderProfile(provider: "kakao", subject: "1", nickname: value).nickname == Self.foundationNormalized(value),
                "U+\(String(code, radix: 16))"
            )
        }
    }

    @Test("an email without a value is never verified")
    func blankEmailUnverified() {
        #expect(!ProviderProfile(provider: "kakao", subject: "1", email: " \u{3000} ", emailVerified: true).emailVerified)
        #expect(ProviderProfile(provider: "kakao", subject: "1", email: " a@b.example ", emailVerified: true).emailVerified)
    }
}
