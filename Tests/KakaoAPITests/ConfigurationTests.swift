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
        ("KOE003", KakaoErrorClass.retryable, KakaoProblem.unavailable),
        ("-1", .retryable, .unavailable), ("-7", .retryable, .unavailable), ("-603", .retryable, .unavailable),
        ("-9798", .retryable, .unavailable),
        ("KOE237", .rateLimited, .rateLimited), ("-10", .rateLimited, .rateLimited),
        ("KOE320", .terminal, .grantRejected), ("KOE322", .terminal, .grantRejected),
        ("KOE303", .terminal, .redirectURIMismatch), ("KOE006", .terminal, .redirectURIMismatch),
        ("KOE010", .terminal, .appMisconfigured), ("KOE101", .terminal, .appMisconfigured),
        ("KOE114", .terminal, .appMisconfigured), ("KOE009", .terminal, .appMisconfigured),
        ("KOE205", .terminal, .appMisconfigured), ("-401", .terminal, .appMisconfigured),
        ("-402", .terminal, .consentMissing),
        ("-4", .terminal, .accountRestricted), ("-101", .terminal, .accountRestricted),
        ("-103", .terminal, .accountRestricted), ("-405", .terminal, .accountRestricted),
        ("-406", .terminal, .accountRestricted),
        ("KOE319", .terminal, .requestRefused), ("KOE310", .terminal, .requestRefused), ("-2", .terminal, .requestRefused),
    ])
    func classification(code: String, errorClass: KakaoErrorClass, problem: KakaoProblem) throws {
        let kakaoCode = try #require(KakaoErrorCode(rawValue: code))
        #expect(kakaoCode.rawValue == code)
        let error = KakaoAPIError.answer(operation: .exchangeCode, status: 400, kakaoCode: kakaoCode, recognised: true)
        #expect(error.errorClass == errorClass)
        #expect(error.problem == problem)
    }

    @Test("-402 keeps Kakao's required_scopes, well-formed ids only, each once; other codes none")
    func requiredScopesOfMinus402() throws {
        let listed = ["account_email", "Bad Scope", "account_email", "profile_image", String(repeating: "a", count: 65), "<b>"]
        let consent = KakaoAPIError.answer(
            operation: .userMe,
            status: 403,
            kakaoCode: .insufficientScopes,
            recognised: true,
            requiredScopes: listed
        )
        #expect(consent.requiredScopes == ["account_email", "profile_image"])
        let other = KakaoAPIError.answer(
            operation: .userMe,
            status: 401,
            kakaoCode: .invalidToken,
            recognised: true,
            requiredScopes: listed
        )
        #expect(other.requiredScopes == nil)
    }

    @Test(arguments: ["", "KOE", "KOE32", "KOE32000", "koe320", "KOE320 ", "-", "--1", "-1234567", "abc", "authorization code not found"])
    func malformedCodesAreDropped(text: String) {
        #expect(KakaoErrorCode(rawValue: text) == nil)
    }
}
