import Foundation
import KakaoLoginClient
import OpenAPIRuntime
import TestSupport
import Testing

/// The Swift client, generated from openapi.yaml, against a real API: `kakao-login dev` (the API,
/// a worker, the Kakao emulator and a PostgreSQL of its own) as a child process, over real sockets.
@Suite struct LoginClientTests {
    static let userID: Int64 = 3_141_592_653

    @Test func logsInRefreshesReadsTheUserAndLogsOut() async throws {
        try await DevServer.withServer { server in
            let api = LoginClient(serverURL: try #require(URL(string: server.apiURL)))
            let attempt = try await api.startLogin(provider: .kakao)
            #expect(attempt.authorizeURL.path.hasSuffix("/oauth/authorize"))
            let code = try await EmulatorConsent.code(for: attempt, userID: Self.userID, emulatorURL: server.emulatorURL)
            let loginID = try await api.submitCode(code, state: attempt.state, attempt: attempt)
            // The same code again from the same attempt: the same login.
            #expect(try await api.submitCode(code, state: attempt.state, attempt: attempt) == loginID)

            guard case .signedIn(let signedIn) = try await api.pollUntilDone(loginID: loginID, attempt: attempt) else {
                Issue.record("the login did not sign in")
                return
            }
            #expect(signedIn.isNewUser)
            #expect(signedIn.expiresIn > 0)

            let me = try await api.me(accessToken: signedIn.accessToken)
            #expect(me.value1.id == signedIn.user.id)
            #expect(me.value2.providers == ["kakao"])

            let refreshed = try await api.refresh(refreshToken: signedIn.refreshToken)
            #expect(refreshed.refreshToken != signedIn.refreshToken)
            #expect(try await api.me(accessToken: refreshed.accessToken).value1.id == signedIn.user.id)

            try await api.logout(refreshToken: refreshed.refreshToken)
            let revoked = await #expect(throws: KakaoLoginError.self) { try await api.me(accessToken: refreshed.accessToken) }
            #expect(revoked?.status == 401)
            #expect(revoked?.code == .sessionRevoked)
        }
    }

    @Test func badInputsAreTypedErrors() async throws {
        try await DevServer.withServer { server in
            let api = LoginClient(serverURL: try #require(URL(string: server.apiURL)))
            let attempt = try await api.startLogin(provider: .kakao)

            // A code the document's pattern refuses: 400 with its code, decoded.
            let garbage = await #expect(throws: KakaoLoginError.self) {
                try await api.submitCode("not a code!", state: attempt.state, attempt: attempt)
            }
            #expect(garbage?.status == 400)
            #expect(garbage?.code == .invalidRequest || garbage?.code == .invalidCode)

            // Another attempt's state: invalid_state.
            let wrongState = await #expect(throws: KakaoLoginError.self) {
                try await api.submitCode("abc", state: "not-this-attempts-state", attempt: attempt)
            }
            #expect(wrongState?.status == 400)
            #expect(wrongState?.code == .invalidState)

            // An unknown login id: 404 not_found.
            let unknown = await #expect(throws: KakaoLoginError.self) {
                try await api.pollUntilDone(loginID: UUID().uuidString.lowercased(), attempt: attempt)
            }
            #expect(unknown?.status == 404)
            #expect(unknown?.code == .notFound)

            // A refresh token that was never issued: 401 invalid_refresh_token.
            let refresh = await #expect(throws: KakaoLoginError.self) { try await api.refresh(refreshToken: "never-issued") }
            #expect(refresh?.status == 401)
            #expect(refresh?.code == .invalidRefreshToken)
        }
    }
}
