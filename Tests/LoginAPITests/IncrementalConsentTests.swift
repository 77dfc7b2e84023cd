import EmulatorTestSupport
import Foundation
import KakaoEmulator
import NIOHTTP1
import Postgres
import Testing

/// Issue 14, item 4: a signed-in user is asked for more consent items later (`"scope"` of
/// start), and a login that misses a required item says which to ask for.
@Suite("Incremental consent")
struct IncrementalConsentTests {
    @Test("a signed-in user grants their email later: the same user, the identity's items and email updated")
    func grantEmailLater() async throws {
        try await Harness.run { harness in
            let kakaoID: Int64 = 7501
            // The first login agrees to the nickname only: no email.
            let first = try await harness.start()
            let code = try harness.emulator.mintCode(
                redirectURI: first.redirectURI,
                userID: kakaoID,
                scope: "openid profile_nickname",
                codeChallenge: first.codeChallenge,
                nonce: first.nonce
            )
            let loginID = try #require(try await harness.postCode(code, attempt: first).object()["login_id"] as? String)
            let login = try await harness.pollUntilDone(loginID, headers: [("X-Login-Attempt", first.token)])
            let user = try #require(login["user"] as? [String: Any])
            #expect(user["email"] is NSNull)
            #expect(try await identity(harness, kakaoID).scopes == ["openid", "profile_nickname"])
            let access = try #require(login["access_token"] as? String)

            // Asking for the email with the user's token.
            let again = try await harness.start(
                headers: [("Authorization", "Bearer \(access)")],
                body: #"{"scope": ["account_email", "account_email"]}"#
            )
            #expect(again.scope == "openid,account_email")
            let (page, consentCode) = try await harness.consent(again, asKakaoUser: kakaoID, agreeingTo: ["account_email"])
            #expect(page.contains(#"id="signed-in""#))
            #expect(page.contains(#"name="consent" value="account_email""#))
            #expect(page.contains("profile_nickname (already agreed)"))
            #expect(!page.contains(#"value="profile_image""#), "only the items asked are offered")
            #expect(!page.contains(#"name="user_id" value="3141592653""#), "no account chooser for the signed-in account")

            let posted = try await harness.postCode(consentCode, attempt: again)
            #expect(posted.status == 202)
            let reconsent = try await harness.pollUntilDone(
                try #require(try posted.object()["login_id"] as? String),
                headers: [("X-Login-Attempt", again.token)]
            )
            #expect(reconsent["status"] as? String == "succeeded")
            #expect(reconsent["linked"] as? Bool == true)
            #expect(reconsent["access_token"] == nil, "the user keeps their session")
            let updated = try #require(reconsent["user"] as? [String: Any])
            #expect(updated["id"] as? String == user["id"] as? String)
            #expect(updated["email"] as? String == "user-\(kakaoID)@emulator.kakao.test")
            let stored = try await identity(harness, kakaoID)
            #expect(stored.scopes == ["account_email", "openid", "profile_nickname"])
            #expect(stored.email == "user-\(kakaoID)@emulator.kakao.test")
            let counts = try await harness.rowCounts()
            #expect(counts.users == 1)
            #expect(counts.sessions == 1)
        }
    }

    @Test("a missing required item fails as consent_required with the items to ask for; asking for them signs in")
    func requiredItemMissing() async throws {
        var options = Harness.Options()
        options.emulator.apps[0].consentItems = [
            .init(id: "profile_nickname", required: true), .init(id: "profile_image"), .init(id: "account_email", required: true),
        ]
        try await Harness.run(options) { harness in
            let kakaoID: Int64 = 7601
            let first = try await harness.start()
            let code = try harness.emulator.mintCode(
                redirectURI: first.redirectURI,
                userID: kakaoID,
                scope: "openid profile_nickname",
                codeChallenge: first.codeChallenge,
                nonce: first.nonce
            )
            let loginID = try #require(try await harness.postCode(code, attempt: first).object()["login_id"] as? String)
            let failed = try await harness.pollUntilDone(loginID, headers: [("X-Login-Attempt", first.token)])
            #expect(failed["status"] as? String == "failed")
            let error = try #require(failed["error"] as? [String: Any])
            #expect(error["code"] as? String == "consent_required")
            #expect(error["provider_error"] as? String == "-402")
            #expect(error["required_scopes"] as? [String] == ["account_email"])
            let stored = try await harness.pool.query(
                "SELECT required_scopes FROM login_jobs WHERE login_id = \(UUID(uuidString: loginID)!)"
            )
            #expect(try stored.single().decode([String]?.self, "required_scopes") == ["account_email"])
            #expect(try await harness.rowCounts().users == 0)

            // The frontend starts again with the items it was told (no session: a sign-in).
            let again = try await harness.start(body: #"{"scope": ["account_email"]}"#)
            let (page, consentCode) = try await harness.consent(again, asKakaoUser: kakaoID, agreeingTo: [])
            #expect(page.contains("account_email (required)"))
            let posted = try await harness.postCode(consentCode, attempt: again)
            let login = try await harness.pollUntilDone(
                try #require(try posted.object()["login_id"] as? String),
                headers: [("X-Login-Attempt", again.token)]
            )
            #expect(login["status"] as? String == "succeeded")
            #expect(login["is_new_user"] as? Bool == true)
            #expect((login["user"] as? [String: Any])?["email"] as? String == "user-\(kakaoID)@emulator.kakao.test")
            #expect(try await identity(harness, kakaoID).scopes == ["account_email", "openid", "profile_nickname"])
        }
    }

    @Test("a bad scope is 400 invalid_request and writes nothing")
    func badScopes() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let before = try await harness.rowCounts()
            let tooMany = "[" + (0...32).map { #""item_\#($0)""# }.joined(separator: ",") + "]"
            let bodies = [
                #"{"scope": "account_email"}"#, #"{"scope": ["Account_Email"]}"#, #"{"scope": [""]}"#, #"{"scope": ["a b"]}"#,
                #"{"scope": ["account_email", "profile-image"]}"#, #"{"scope": [1]}"#, #"{"scope": [null]}"#,
                #"{"scope": ["\#(String(repeating: "a", count: 65))"]}"#, #"{"scope": \#(tooMany)}"#,
            ]
            for body in bodies {
                let answer = try await harness.send(.POST, "/auth/kakao/start", body: body)
                #expect(answer.status == 400, "\(body.prefix(60))")
                #expect(try answer.errorCode() == "invalid_request", "\(body.prefix(60))")
            }
            #expect(try await harness.rowCounts() == before)
        }
    }

    @Test("scope with credentials that are not a valid Bearer token is 401 and writes nothing")
    func scopeNeedsAValidBearer() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let before = try await harness.rowCounts()
            for authorization in ["Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer "] {
                let answer = try await harness.send(
                    .POST,
                    "/auth/kakao/start",
                    headers: [("Authorization", authorization)],
                    body: #"{"scope": ["account_email"]}"#
                )
                #expect(answer.status == 401, "\(authorization)")
                #expect(try answer.errorCode() == "invalid_access_token")
            }
            #expect(try await harness.rowCounts() == before)
            // Without credentials it is a sign-in that asks for the item too.
            #expect(try await harness.start(body: #"{"scope": ["account_email"]}"#).scope == "openid,account_email")
        }
    }

    /// The identity of the emulator's Kakao user `kakaoID`: its consent items and email.
    private func identity(_ harness: Harness, _ kakaoID: Int64) async throws -> (scopes: [String]?, email: String?) {
        let row = try await harness.pool.query(
            "SELECT consent_scopes, email FROM user_identities WHERE subject = \(String(kakaoID))"
        ).single()
        return (try row.decode([String]?.self, "consent_scopes"), try row.decode(String?.self, "email"))
    }
}

extension Harness {
    /// What the browser does at Kakao for `attempt`, signed in as the Kakao account `kakaoID`
    /// (the emulator's session cookie): opens the authorize URL, agrees to the optional items
    /// `agreeingTo`. The consent page and the code it redirected with.
    func consent(_ attempt: Attempt, asKakaoUser kakaoID: Int64, agreeingTo items: [String]) async throws -> (page: String, code: String) {
        let authorize = try #require(URLComponents(string: attempt.authorizeURL))
        let path = authorize.percentEncodedPath + "?" + (authorize.percentEncodedQuery ?? "")
        var result: (String, String)?
        try await EmulatorClient.connect(to: emulator, at: emulatorURL) { http in
            let page = try await http.get(path, headers: [("Cookie", "kakao_emulator_session=\(kakaoID)")])
            try #require(page.status == 200, "the authorize page answered \(page.status)")
            let form =
                (authorize.percentEncodedQuery ?? "") + "&user_id=\(kakaoID)" + items.map { "&consent=\($0)" }.joined() + "&action=agree"
            let redirect = try await http.postForm("/oauth/authorize/consent", form)
            try #require(redirect.status == 302, "the consent form answered \(redirect.status)")
            result = (page.body, try #require(redirect.redirectQuery["code"]))
        }
        let (page, code) = try #require(result)
        return (page, code)
    }
}
