import Foundation
import NIOHTTP1
import TestSupport

/// One login through a running `kakao-login dev`, as a frontend without cookies would do it:
/// start an attempt, have the emulator mint a code for a test user (as if the user consented),
/// post it, and long-poll until the login ends. Keeps every secret it saw, so a test can look
/// for them where they must not be.
struct LoginOverHTTP {
    var attemptToken = ""
    var state = ""
    var code = ""
    var loginID = ""
    var accessToken = ""
    var refreshToken = ""
    var final: [String: Any] = [:]

    static func run(on server: DevServer, userID: Int64) async throws -> LoginOverHTTP {
        var login = LoginOverHTTP()
        let started = try await HTTPJSON.send(.POST, server.apiURL + "/auth/kakao/start", json: [:])
        guard started.status == 200, let authorize = (started.json["authorize_url"] as? String).flatMap(URLComponents.init(string:)),
            let state = started.json["state"] as? String, let attemptToken = started.json["attempt_token"] as? String
        else { throw TestSupportError("start answered \(started.status): \(started.text)") }
        login.state = state
        login.attemptToken = attemptToken
        func query(_ name: String) -> String? { authorize.queryItems?.first { $0.name == name }?.value }

        let minted = try await HTTPJSON.send(
            .POST,
            server.emulatorURL + "/_emulator/codes",
            json: [
                "client_id": query("client_id") ?? "", "redirect_uri": query("redirect_uri") ?? "", "user_id": userID,
                "scope": query("scope") ?? "openid", "code_challenge": query("code_challenge") ?? "",
                "code_challenge_method": "S256", "nonce": query("nonce") ?? "",
            ]
        )
        guard let code = minted.json["code"] as? String else { throw TestSupportError("the emulator minted no code: \(minted.text)") }
        login.code = code

        let binding = ["X-Login-Attempt": attemptToken]
        let posted = try await HTTPJSON.send(
            .POST,
            server.apiURL + "/auth/kakao/login",
            json: ["code": code, "state": state],
            headers: binding
        )
        guard posted.status == 202, let loginID = posted.json["login_id"] as? String else {
            throw TestSupportError("login answered \(posted.status): \(posted.text)")
        }
        login.loginID = loginID
        for _ in 0..<20 {
            let polled = try await HTTPJSON.send(.GET, server.apiURL + "/auth/kakao/login/\(loginID)?wait=10", headers: binding)
            if polled.json["status"] as? String != "pending" {
                login.final = polled.json
                login.accessToken = polled.json["access_token"] as? String ?? ""
                login.refreshToken = polled.json["refresh_token"] as? String ?? ""
                return login
            }
        }
        throw TestSupportError("the login stayed pending")
    }
}
