import Testing

@testable import KakaoAPI

@Suite("Client configuration")
struct ConfigurationTests {
    @Test(arguments: [
        "http://kauth.kakao.com", "ftp://127.0.0.1", "http://10.0.0.1:9090", "https://kauth.kakao.com?x=1", "not a url",
        "http://user:pw@127.0.0.1", "http://127.0.0.1.evil.example",
    ])
    func rejectedBaseURLs(url: String) {
        #expect(throws: KakaoAPIError.self) { try KakaoClientConfiguration(restAPIKey: "k", authURL: url) }
    }

    @Test(arguments: [
        "https://kauth.kakao.com", "http://127.0.0.1:9090", "http://localhost:9090/", "http://[::1]:9090", "http://127.0.0.2",
    ])
    func acceptedBaseURLs(url: String) throws {
        let configuration = try KakaoClientConfiguration(restAPIKey: "k", authURL: url)
        #expect(!configuration.authURL.hasSuffix("/"))
        #expect(configuration.idTokenIssuer == configuration.authURL)
    }

    @Test func defaultsAreKakaos() throws {
        let configuration = try KakaoClientConfiguration(restAPIKey: "k")
        #expect(configuration.authURL == "https://kauth.kakao.com")
        #expect(configuration.apiURL == "https://kapi.kakao.com")
        #expect(configuration.idTokenIssuer == "https://kauth.kakao.com")
        #expect(configuration.maxConnectionsPerHost >= 256)
    }

    @Test func secretsStayOutOfDescriptions() throws {
        let configuration = try KakaoClientConfiguration(restAPIKey: "k", clientSecret: "SECRET-1", adminKey: "ADMIN-2")
        #expect(!configuration.description.contains("SECRET-1"))
        #expect(!configuration.description.contains("ADMIN-2"))
        #expect(!String(describing: configuration).contains("SECRET-1"))
    }

    @Test func badLimitsAreRejected() {
        #expect(throws: KakaoAPIError.self) { try KakaoClientConfiguration(restAPIKey: "") }
        #expect(throws: KakaoAPIError.self) { try KakaoClientConfiguration(restAPIKey: "k", clientSecret: "") }
        #expect(throws: KakaoAPIError.self) { try KakaoClientConfiguration(restAPIKey: "k", maxConnectionsPerHost: 0) }
        #expect(throws: KakaoAPIError.self) { try KakaoClientConfiguration(restAPIKey: "k", readTimeout: .zero) }
    }
}

@Suite("Kakao error codes")
struct ErrorCodeTests {
    @Test(arguments: [
        ("KOE003", KakaoErrorClass.retryable, KakaoFailureReason.kakaoUnavailable),
        ("-1", .retryable, .kakaoUnavailable), ("-7", .retryable, .kakaoUnavailable), ("-603", .retryable, .kakaoUnavailable),
        ("-9798", .retryable, .kakaoUnavailable),
        ("KOE237", .rateLimited, .kakaoRateLimited), ("-10", .rateLimited, .kakaoRateLimited),
        ("KOE320", .terminal, .authorizationCodeInvalid), ("KOE322", .terminal, .authorizationCodeInvalid),
        ("KOE303", .terminal, .redirectURIMismatch), ("KOE006", .terminal, .redirectURIMismatch),
        ("KOE010", .terminal, .kakaoClientMisconfigured), ("KOE101", .terminal, .kakaoClientMisconfigured),
        ("KOE114", .terminal, .kakaoClientMisconfigured), ("KOE009", .terminal, .kakaoClientMisconfigured),
        ("KOE205", .terminal, .kakaoClientMisconfigured), ("-401", .terminal, .kakaoClientMisconfigured),
        ("-402", .terminal, .consentRequired),
        ("-4", .terminal, .kakaoAccountRestricted), ("-101", .terminal, .kakaoAccountRestricted),
        ("-103", .terminal, .kakaoAccountRestricted), ("-405", .terminal, .kakaoAccountRestricted),
        ("-406", .terminal, .kakaoAccountRestricted),
        ("KOE319", .terminal, .internalError), ("KOE310", .terminal, .internalError), ("-2", .terminal, .internalError),
    ])
    func classification(code: String, errorClass: KakaoErrorClass, reason: KakaoFailureReason) throws {
        let kakaoCode = try #require(KakaoErrorCode(rawValue: code))
        #expect(kakaoCode.rawValue == code)
        let error = KakaoAPIError.answer(operation: .exchangeCode, status: 400, kakaoCode: kakaoCode, recognised: true)
        #expect(error.errorClass == errorClass)
        #expect(error.reason == reason)
    }

    @Test(arguments: ["", "KOE", "KOE32", "KOE32000", "koe320", "KOE320 ", "-", "--1", "-1234567", "abc", "authorization code not found"])
    func malformedCodesAreDropped(text: String) {
        #expect(KakaoErrorCode(rawValue: text) == nil)
    }
}
