import EmulatorTestSupport
import Foundation
import KakaoEmulator
import Testing

/// `redirect_uri` at the token endpoint: Kakao's documents call it required, widely used
/// third-party clients leave it out and work against the real Kakao. The tolerant choice is the
/// default; a different value is KOE303 either way.
@Suite("Token endpoint: redirect_uri omitted or different")
struct TokenRedirectURITests {
    static func exchange(_ http: EmulatorHTTP, code: String, redirectURI: String?) async throws -> EmulatorHTTP.Answer {
        let redirect = redirectURI.map { "&redirect_uri=\($0)" } ?? ""
        return try await http.postForm(
            "/oauth/token",
            "grant_type=authorization_code&client_id=emulator-rest-api-key&code=\(code)\(redirect)"
        )
    }

    @Test func omittedIsAcceptedByDefault() async throws {
        #expect(KakaoEmulatorConfiguration().tokenRedirectURI == .optional)
        try await EmulatorHTTP.run { http throws in
            let omitted = try await Self.exchange(http, code: try http.emulator.mintCode(userID: 11), redirectURI: nil)
            #expect(omitted.status == 200)
            #expect(omitted.json["access_token"] is String)

            let different = try await Self.exchange(
                http,
                code: try http.emulator.mintCode(userID: 11),
                redirectURI: "http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fkakao%2Fcallback"
            )
            #expect(different.status == 400)
            #expect(different.json["error_code"] as? String == "KOE303")

            let empty = try await Self.exchange(http, code: try http.emulator.mintCode(userID: 11), redirectURI: "")
            #expect(empty.json["error_code"] as? String == "KOE303", "an empty value is a different value, not an omitted one")

            let same = try await Self.exchange(
                http,
                code: try http.emulator.mintCode(userID: 11),
                redirectURI: EmulatorHTTP.encodedRedirectURI
            )
            #expect(same.status == 200)
        }
    }

    @Test func requiredRefusesAnOmittedOne() async throws {
        try await EmulatorHTTP.run(KakaoEmulatorConfiguration(tokenRedirectURI: .required)) { http throws in
            let omitted = try await Self.exchange(http, code: try http.emulator.mintCode(userID: 12), redirectURI: nil)
            #expect(omitted.status == 400)
            #expect(omitted.json["error_code"] as? String == "KOE303")
            let same = try await Self.exchange(
                http,
                code: try http.emulator.mintCode(userID: 12),
                redirectURI: EmulatorHTTP.encodedRedirectURI
            )
            #expect(same.status == 200)
        }
    }

    @Test func configurationFile() throws {
        let required = try KakaoEmulatorConfiguration.decode(json: Data(#"{"token_redirect_uri": "required"}"#.utf8))
        #expect(required.tokenRedirectURI == .required)
        #expect(try KakaoEmulatorConfiguration.decode(json: Data("{}".utf8)).tokenRedirectURI == .optional)
        #expect(throws: KakaoEmulatorError.self) {
            try KakaoEmulatorConfiguration.decode(json: Data(#"{"token_redirect_uri": "sometimes"}"#.utf8))
        }
    }
}
