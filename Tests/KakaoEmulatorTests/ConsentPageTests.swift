import EmulatorTestSupport
import KakaoEmulator
import NIOHTTP1
import Testing

@Suite("The consent page, driven by plain HTTP")
struct ConsentPageTests {
    static let authorize =
        "/oauth/authorize?client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code&state=xyz%20state&nonce=n1&scope=openid%20profile_nickname%20account_email%20profile_image"

    @Test func agreeDeclineEmailAndExchange() async throws {
        try await EmulatorHTTP.run { http throws in
            let page = try await http.get(Self.authorize)
            #expect(page.status == 200)
            #expect(page.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.body.contains(#"action="/oauth/authorize/consent""#))
            #expect(page.body.contains(#"name="user_id" value="1376016924426814086""#))
            #expect(page.body.contains(#"value="account_email""#))
            #expect(page.body.contains("profile_nickname (required)"))

            // The form's hidden fields, the chosen account, one optional item agreed, email declined.
            let form = [
                "client_id=emulator-rest-api-key", "redirect_uri=\(EmulatorHTTP.encodedRedirectURI)", "response_type=code",
                "scope=openid+profile_nickname+account_email+profile_image", "state=xyz+state", "nonce=n1",
                "user_id=3141592653", "consent=profile_image", "action=agree",
            ].joined(separator: "&")
            let redirect = try await http.postForm("/oauth/authorize/consent", form)
            #expect(redirect.status == 302)
            let location = try #require(redirect.headers.first(name: "Location"))
            #expect(location.hasPrefix(EmulatorHTTP.redirectURI + "?"))
            #expect(redirect.redirectQuery["state"] == "xyz state")
            let code = try #require(redirect.redirectQuery["code"])
            #expect(redirect.headers.first(name: "Set-Cookie")?.contains("kakao_emulator_session=3141592653") == true)

            let token = try await http.exchange(code)
            #expect(token.status == 200)
            #expect(token.headers.first(name: "Content-Type") == "application/json;charset=UTF-8")
            #expect(token.json["scope"] as? String == "openid profile_image profile_nickname")
            #expect(token.json["id_token"] is String)
            let accessToken = try #require(token.json["access_token"] as? String)

            let me = try await http.get("/v2/user/me", headers: [("Authorization", "Bearer \(accessToken)")])
            #expect(me.status == 200)
            let account = try #require(me.json["kakao_account"] as? [String: Any])
            #expect(account["email_needs_agreement"] as? Bool == true)
            #expect(account["email"] == nil)
            #expect(account["profile_image_needs_agreement"] as? Bool == false)
            #expect(me.body.contains(#""id":3141592653"#))
        }
    }

    @Test func cancelRedirectsWithAccessDenied() async throws {
        try await EmulatorHTTP.run { http throws in
            let form =
                "client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code&state=s1&user_id=3141592653&action=cancel"
            let redirect = try await http.postForm("/oauth/authorize/consent", form)
            #expect(redirect.status == 302)
            #expect(redirect.redirectQuery["error"] == "access_denied")
            #expect(redirect.redirectQuery["error_description"] == "User denied access")
            #expect(redirect.redirectQuery["state"] == "s1")
            #expect(redirect.redirectQuery["code"] == nil)
        }
    }

    @Test func promptNoneUsesTheSession() async throws {
        try await EmulatorHTTP.run { http throws in
            let silent =
                "/oauth/authorize?client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code&prompt=none&state=p&scope=profile_nickname"
            let noSession = try await http.get(silent)
            #expect(noSession.status == 302)
            #expect(noSession.redirectQuery["error"] == "login_required")
            #expect(noSession.redirectQuery["state"] == "p")

            let unknownConsent = try await http.get(silent, headers: [("Cookie", "kakao_emulator_session=3141592653")])
            #expect(unknownConsent.redirectQuery["error"] == "consent_required")

            _ = try http.emulator.mintCode(userID: 3_141_592_653, scope: "profile_nickname")
            let withSession = try await http.get(silent, headers: [("Cookie", "other=1; kakao_emulator_session=3141592653")])
            #expect(withSession.status == 302)
            let code = try #require(withSession.redirectQuery["code"])
            #expect(try await http.exchange(code).status == 200)
        }
    }

    @Test("additional consent: the signed-in account is asked only for the items it has not agreed to")
    func additionalConsentAsksOnlyForNewItems() async throws {
        try await EmulatorHTTP.run { http throws in
            _ = try http.emulator.mintCode(userID: 3_141_592_653, scope: "openid profile_nickname profile_image")
            let additional =
                "/oauth/authorize?client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code&state=s2&scope=openid,account_email"
            let page = try await http.get(additional, headers: [("Cookie", "kakao_emulator_session=3141592653")])
            #expect(page.status == 200)
            #expect(page.body.contains(#"<input type="hidden" name="user_id" value="3141592653">"#))
            #expect(!page.body.contains(#"type="radio""#), "the signed-in account, no chooser")
            #expect(page.body.contains(#"name="consent" value="account_email""#))
            #expect(page.body.contains("profile_nickname (already agreed)"))
            #expect(page.body.contains("profile_image (already agreed)"))
            #expect(!page.body.contains(#"name="consent" value="profile_image""#))

            // Without a session, or for an account that never agreed to anything, the usual page.
            let anonymous = try await http.get(additional)
            #expect(anonymous.body.contains(#"type="radio""#))
            #expect(!anonymous.body.contains("already agreed"))
            let stranger = try await http.get(additional, headers: [("Cookie", "kakao_emulator_session=2718281828")])
            #expect(!stranger.body.contains("already agreed"))

            let form =
                "client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code&state=s2&scope=openid%2Caccount_email&user_id=3141592653&consent=account_email&action=agree"
            let code = try #require(try await http.postForm("/oauth/authorize/consent", form).redirectQuery["code"])
            let token = try await http.exchange(code)
            #expect(token.json["scope"] as? String == "account_email openid profile_image profile_nickname")
            let accessToken = try #require(token.json["access_token"] as? String)
            let me = try await http.get("/v2/user/me", headers: [("Authorization", "Bearer \(accessToken)")])
            let account = try #require(me.json["kakao_account"] as? [String: Any])
            #expect(account["email"] as? String == "ryan@emulator.kakao.test")
            #expect(account["email_needs_agreement"] as? Bool == false)
        }
    }

    @Test("a required item the user has not agreed to: user/me is -402 with the items missing and granted")
    func missingRequiredItemIsMinus402() async throws {
        var configuration = KakaoEmulatorConfiguration()
        configuration.apps[0].consentItems.append(.init(id: "name", required: true))
        try await EmulatorHTTP.run(configuration) { http throws in
            let code = try http.emulator.mintCode(userID: 3_141_592_653, scope: "openid profile_nickname account_email")
            let accessToken = try #require(try await http.exchange(code).json["access_token"] as? String)
            let me = try await http.get("/v2/user/me", headers: [("Authorization", "Bearer \(accessToken)")])
            #expect(me.status == 403)
            #expect(me.json["code"] as? Int == -402)
            #expect(me.json["msg"] as? String == "insufficient scopes.")
            #expect(me.json["api_type"] as? String == "USER_ME")
            #expect(me.json["required_scopes"] as? [String] == ["name"])
            #expect(me.json["allowed_scopes"] as? [String] == ["account_email", "profile_nickname"])
        }
    }

    @Test func pkceThroughTheBrowserFlow() async throws {
        try await EmulatorHTTP.run { http throws in
            let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  // RFC 7636 appendix B
            let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
            let page = try await http.get(Self.authorize + "&code_challenge=\(challenge)&code_challenge_method=S256")
            #expect(page.body.contains(challenge))
            let form =
                "client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code&code_challenge=\(challenge)&code_challenge_method=S256&user_id=42&action=agree"
            let code = try #require(try await http.postForm("/oauth/authorize/consent", form).redirectQuery["code"])
            #expect(try await http.exchange(code, extra: "&code_verifier=\(verifier)").status == 200)
        }
    }

    @Test(arguments: [
        ("client_id=nope&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code", "KOE101"),
        ("client_id=emulator-rest-api-key&redirect_uri=http%3A%2F%2Fevil.example%2Fcb&response_type=code", "KOE006"),
        ("client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)", "KOE201"),
        ("client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=id_token", "KOE201"),
        ("client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=token", "KOE202"),
        ("client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code&scope=talk_message", "KOE205"),
        (
            "client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code&code_challenge=abc&code_challenge_method=plain",
            "KOE001"
        ),
        ("client_id=emulator-rest-api-key&client_id=x&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code", "KOE001"),
        ("client_id=%FF%FE", "KOE001"),
    ])
    func errorPages(query: String, code: String) async throws {
        try await EmulatorHTTP.run { http throws in
            let page = try await http.get("/oauth/authorize?" + query)
            #expect(page.status == 400)
            #expect(page.headers.first(name: "Location") == nil, "authorize errors are pages, not redirects")
            #expect(page.body.contains(#"<p id="error-code">\#(code)</p>"#))
        }
    }

    @Test func openidWithOIDCOffIsKOE205AndErrorStatusIsConfigurable() async throws {
        var configuration = KakaoEmulatorConfiguration(authorizeErrorStatus: 200)
        configuration.apps[0].oidc = false
        try await EmulatorHTTP.run(configuration) { http in
            let page = try await http.get(
                "/oauth/authorize?client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&response_type=code&scope=openid"
            )
            #expect(page.status == 200)
            #expect(page.body.contains("KOE205"))
        }
    }
}

@Suite("OIDC userinfo and the account logout")
struct UserInfoAndLogoutTests {
    @Test func userInfoFollowsConsent() async throws {
        try await EmulatorHTTP.run { http throws in
            let code = try http.emulator.mintCode(userID: 1_618_033_988, scope: "openid profile_nickname account_email")
            let token = try #require(try await http.exchange(code).json["access_token"] as? String)
            let info = try await http.get("/v1/oidc/userinfo", headers: [("Authorization", "Bearer \(token)")]).json
            #expect(info["sub"] as? String == "1618033988")
            #expect(info["nickname"] as? String == "프로도")
            #expect(info["email_verified"] as? Bool == false)
            #expect(info["picture"] == nil)
            #expect(try await http.get("/v1/oidc/userinfo").json["code"] as? Int == -401)
        }
    }

    @Test func accountLogoutRedirectsOrShowsKOE007() async throws {
        try await EmulatorHTTP.run { http throws in
            let ok = try await http.get(
                "/oauth/logout?client_id=emulator-rest-api-key&logout_redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&state=bye"
            )
            #expect(ok.status == 302)
            #expect(ok.redirectQuery["state"] == "bye")
            #expect(ok.headers.first(name: "Set-Cookie")?.contains("Max-Age=0") == true)
            let bad = try await http.get("/oauth/logout?client_id=emulator-rest-api-key&logout_redirect_uri=http%3A%2F%2Fevil.example%2F")
            #expect(bad.status == 400)
            #expect(bad.body.contains("KOE007"))
        }
    }
}
