import Foundation
import KakaoLoginClient

// Logs in through `kakao-login dev` (http://127.0.0.1:8080): open the printed URL, pick a test
// user on the emulator's page, and paste the address the browser was sent back to.
let api = LoginClient(serverURL: URL(string: "http://127.0.0.1:8080")!)
let attempt = try await api.startLogin(provider: .kakao)
print("Open \(attempt.authorizeURL) and paste the address you are sent back to:")
let back = URLComponents(string: readLine() ?? "")?.queryItems ?? []
let code = back.first { $0.name == "code" }?.value ?? ""
let loginID = try await api.submitCode(code, state: attempt.state, attempt: attempt)
if case .signedIn(let signedIn) = try await api.pollUntilDone(loginID: loginID, attempt: attempt) {
    print("Hello, \(try await api.me(accessToken: signedIn.accessToken).value1.displayName ?? "you")")
    try await api.logout(refreshToken: signedIn.refreshToken)
}
