import GoogleAPI
import GoogleEmulator
import Testing

@Suite("Google client against Google's error answers")
struct ClientErrorTests {
    @Test func spentCodeIsGrantRejected() async throws {
        try await Harness.run { h in
            let code = try h.code()
            _ = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
            let error = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
                }
            )
            #expect(error.kind == .googleError)
            #expect(error.operation == .exchangeCode)
            #expect(error.googleError == .invalidGrant)
            #expect(error.problem == .grantRejected)
            #expect(error.errorClass == .terminal)
            #expect(error.delivery == .responded)
            #expect(error.httpStatus == 400)
            #expect(h.emulator.stats.codesPresentedMoreThanOnce == 1)
        }
    }

    @Test func unknownOrMalformedCodesAreGrantRejected() async throws {
        try await Harness.run { h in
            for code in ["4/0AnotAcodeWeIssued", "not-a-google-code", "4%2F0Adouble-encoded"] {
                let error = try #require(
                    await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
                )
                #expect(error.problem == .grantRejected)
            }
        }
    }

    @Test func pkceMistakesAreGrantRejected() async throws {
        try await Harness.run { h in
            let wrong = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(
                        try h.code(),
                        redirectURI: Harness.redirectURI,
                        codeVerifier: String(repeating: "x", count: 43)
                    )
                }
            )
            #expect(wrong.googleError == .invalidGrant)
            let missing = try #require(
                await h.expectError { try await h.client.exchangeCode(try h.code(), redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(missing.googleError == .invalidGrant)
            let unneeded = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(
                        try h.code(pkce: false),
                        redirectURI: Harness.redirectURI,
                        codeVerifier: Harness.verifier
                    )
                }
            )
            #expect(unneeded.problem == .grantRejected)
        }
    }

    @Test func wrongSecretIsClientMisconfigured() async throws {
        try await Harness.run { h in
            let configuration = try h.configuration(clientSecret: "not-the-secret")
            let error = try #require(
                await Harness.withClient(configuration) { client in
                    await h.expectError {
                        try await client.exchangeCode(try h.code(), redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
                    }
                }
            )
            #expect(error.googleError == .invalidClient)
            #expect(error.httpStatus == 401)
            #expect(error.problem == .clientMisconfigured)
            #expect(error.errorClass == .terminal)
            #expect(error.delivery == .responded)
        }
    }

    @Test func unknownClientIsClientMisconfigured() async throws {
        try await Harness.run { h in
            let configuration = try h.configuration(clientID: "unknown.apps.googleusercontent.com")
            let error = try #require(
                await Harness.withClient(configuration) { client in
                    await h.expectError { try await client.refresh(refreshToken: "1//0unknown") }
                }
            )
            #expect(error.googleError == .invalidClient)
            #expect(error.problem == .clientMisconfigured)
        }
    }

    @Test func redirectURIMismatch() async throws {
        try await Harness.run { h in
            let error = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(
                        try h.code(),
                        redirectURI: "http://localhost:8080/auth/google/callback",
                        codeVerifier: Harness.verifier
                    )
                }
            )
            #expect(error.googleError == .redirectURIMismatch)
            #expect(error.problem == .redirectURIMismatch)
            #expect(error.errorClass == .terminal)
        }
    }

    @Test func refreshTokenOfAnotherClientIsClientMisconfigured() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.clients.append(.init(clientID: "other.apps.googleusercontent.com", clientSecrets: ["other-secret"]))
        try await Harness.run(emulator: configuration) { h in
            let code = try h.code(accessType: "offline", clientID: "other.apps.googleusercontent.com")
            let other = try h.configuration(clientID: "other.apps.googleusercontent.com", clientSecret: "other-secret")
            let tokens = try await Harness.withClient(other) { client in
                try await client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
            }
            let refreshToken = try #require(tokens.refreshToken)
            let error = try #require(await h.expectError { try await h.client.refresh(refreshToken: refreshToken) })
            #expect(error.googleError == .unauthorizedClient)
            #expect(error.problem == .clientMisconfigured)
        }
    }

    @Test func badAccessTokenAtUserInfo() async throws {
        try await Harness.run { h in
            let error = try #require(await h.expectError { try await h.client.userInfo(accessToken: "ya29.not-a-token") })
            #expect(error.operation == .userInfo)
            #expect(error.httpStatus == 401)
            #expect(error.kind == .googleError)
            #expect(error.problem == .requestRefused)
            #expect(error.delivery == .responded)
        }
    }

    @Test func problemsAndClasses() {
        let expected: [GoogleProblem: GoogleErrorClass] = [
            .grantRejected: .terminal, .redirectURIMismatch: .terminal, .clientMisconfigured: .terminal, .accountRestricted: .terminal,
            .rateLimited: .rateLimited, .unavailable: .retryable, .idTokenInvalid: .terminal, .requestRefused: .terminal,
        ]
        for problem in GoogleProblem.allCases { #expect(problem.errorClass == expected[problem]) }
    }

    @Test(arguments: [
        "invalid_grant", "redirect_uri_mismatch", "invalid_client", "unauthorized_client", "admin_policy_enforced", "org_internal",
        "internal_failure", "invalid_request", "invalid_token",
    ])
    func knownErrorValuesAreKept(value: String) {
        #expect(GoogleErrorCode(rawValue: value)?.rawValue == value)
    }

    @Test(arguments: ["", "INVALID_GRANT", "invalid_grant ", "Bad Request", "invalid_grant: code 4/0Asecret", "x"])
    func unknownErrorValuesAreDropped(value: String) {
        #expect(GoogleErrorCode(rawValue: value) == nil)
    }
}
