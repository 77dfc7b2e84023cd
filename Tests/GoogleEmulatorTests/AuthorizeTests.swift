import EmulatorTestSupport
import GoogleEmulator
import NIOCore
import NIOHTTP1
import Testing

@Suite("Google emulator: the authorize endpoint and the account chooser")
struct AuthorizeTests {
    /// The parameters of a valid authorize request, encoded.
    static let valid: [(String, String)] = [
        ("client_id", Google.clientID), ("redirect_uri", Google.encodedRedirectURI), ("response_type", "code"),
        ("scope", "openid%20email%20profile"), ("state", "s%201"), ("nonce", "n1"),
    ]

    /// A valid authorize query with `name` set to `value` (written as is) and `extra` appended.
    static func authorize(
        _ extra: String = "",
        path: String = "/o/oauth2/v2/auth",
        replacing name: String = "",
        with value: String = ""
    ) -> String {
        var pairs = valid.map { $0.0 == name ? ($0.0, value) : $0 }
        if !name.isEmpty, !valid.contains(where: { $0.0 == name }) { pairs.append((name, value)) }
        return path + "?" + pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&") + extra
    }

    /// The approval form for `account` with the authorize parameters of `extra`.
    static func approval(_ account: String, action: String = "allow", extra: String = "") -> String {
        "client_id=\(Google.clientID)&redirect_uri=\(Google.encodedRedirectURI)&response_type=code&scope=openid+email+profile&state=s+1&nonce=n1&account=\(account)&action=\(action)\(extra)"
    }

    @Test func theAccountChooserPage() async throws {
        try await GoogleHTTP.run { http throws in
            for path in ["/o/oauth2/v2/auth", "/o/oauth2/auth"] {
                let page = try await http.get(Self.authorize(path: path))
                #expect(page.status == 200)
                #expect(page.headers.first(name: "Content-Type") == "text/html; charset=UTF-8")
                #expect(page.body.contains(#"action="/o/oauth2/v2/auth/approve""#))
                for sub in [Google.alice, Google.bob, Google.carol] { #expect(page.body.contains(#"value="\#(sub)""#)) }
                #expect(page.body.contains("email not verified"))
                #expect(page.body.contains("Workspace: workspace.emulator.test"))
                #expect(page.body.contains(#"name="nonce" value="n1""#))
                #expect(!page.body.contains("offline"))
            }
            let hinted = try await http.get(
                Self.authorize("&login_hint=bob%40emulator-mail.test&access_type=offline&include_granted_scopes=true")
            )
            #expect(hinted.body.contains(#"value="\#(Google.bob)" checked"#), "login_hint preselects the account")
            #expect(hinted.body.contains("offline: a refresh token"))
            #expect(hinted.body.contains("Access you granted this app before is included."))
            let workspace = try await http.get(Self.authorize("&hd=workspace.emulator.test"))
            #expect(workspace.body.contains(#"value="\#(Google.carol)" checked"#))
            #expect(!workspace.body.contains(#"value="\#(Google.alice)""#), "hd shows that domain's accounts")
        }
    }

    @Test(
        "every error is Google's own page, never a redirect",
        arguments: [
            ("client_id", "", 400, "invalid_request", "Missing required parameter: client_id"),
            ("client_id", "unknown.apps.googleusercontent.com", 401, "invalid_client", "The OAuth client was not found."),
            ("redirect_uri", "", 400, "invalid_request", "Missing required parameter: redirect_uri"),
            ("redirect_uri", Google.encodedRedirectURI + "%2F", 400, "redirect_uri_mismatch", "OAuth 2.0 policy"),
            ("redirect_uri", "https" + Google.encodedRedirectURI.dropFirst(4), 400, "redirect_uri_mismatch", "OAuth 2.0 policy"),
            ("response_type", "", 400, "invalid_request", "Required parameter is missing: response_type"),
            ("response_type", "token", 400, "invalid_request", "Invalid response_type"),
            ("scope", "", 400, "invalid_request", "Missing required parameter: scope"),
            ("scope", "openid%20photos", 400, "invalid_scope", "Some requested scopes were invalid. {invalid=[photos]}"),
            ("prompt", "login", 400, "invalid_request", "Invalid parameter value for prompt: Invalid prompt: login"),
            ("prompt", "none%20consent", 400, "invalid_request", "Invalid parameter value for prompt"),
            (
                "code_challenge", String(repeating: "a", count: 43) + "&code_challenge_method=S512", 400, "invalid_request",
                "code_challenge_method"
            ),
            ("code_challenge", "short", 400, "invalid_request", "Invalid code_challenge value."),
            ("access_type", "forever", 400, "invalid_request", "Invalid access_type: forever"),
            ("state", "x&state=y", 400, "invalid_request", "duplicate parameter: state"),
            ("state", "%FF", 400, "invalid_request", "not UTF-8"),
        ] as [(String, String, Int, String, String)]
    )
    func errorPages(name: String, value: String, status: Int, error: String, message: String) async throws {
        try await GoogleHTTP.run { http throws in
            let path = Self.authorize(replacing: name, with: value)
            let page = try await http.get(path)
            #expect(page.status == status, "\(path)")
            #expect(page.headers.first(name: "Location") == nil)
            #expect(page.headers.first(name: "Content-Type") == "text/html; charset=UTF-8")
            #expect(page.body.contains("Error \(status): \(error)"), "\(page.body)")
            #expect(page.body.contains(message), "\(page.body)")
        }
    }

    @Test func approveRedirectsWithTheCodeInGooglesOrder() async throws {
        try await GoogleHTTP.run { http throws in
            let redirect = try await http.postForm("/o/oauth2/v2/auth/approve", Self.approval(Google.carol))
            #expect(redirect.status == 302)
            let location = try #require(redirect.headers.first(name: "Location"))
            #expect(location.hasPrefix(Google.redirectURI + "?state=s%201&iss="))
            let names = location.split(separator: "?")[1].split(separator: "&").map { $0.split(separator: "=")[0] }
            #expect(names == ["state", "iss", "code", "scope", "authuser", "hd", "prompt"])
            let query = redirect.redirectQuery
            #expect(query["state"] == "s 1")
            #expect(query["iss"] == http.baseURL)
            #expect(query["code"]?.hasPrefix("4/0A") == true)
            #expect(query["hd"] == "workspace.emulator.test")
            #expect(query["prompt"] == "consent")
            #expect(query["authuser"] == "0")
            let scope = try #require(query["scope"]).split(separator: " ")
            #expect(
                Set(scope) == [
                    "openid", "email", "profile", "https://www.googleapis.com/auth/userinfo.email",
                    "https://www.googleapis.com/auth/userinfo.profile",
                ]
            )
            #expect(redirect.headers.first(name: "Set-Cookie")?.contains("google_emulator_session=\(Google.carol)") == true)
            let token = try await http.exchange(try #require(query["code"]))
            #expect(token.status == 200)
            #expect(token.json["refresh_token"] == nil, "online access: no refresh token")

            let denied = try await http.postForm("/o/oauth2/v2/auth/approve", Self.approval(Google.alice, action: "deny"))
            #expect(denied.status == 302)
            #expect(denied.redirectQuery == ["error": "access_denied", "state": "s 1"])
        }
    }

    @Test func aSignedInUserWhoConsentedIsRedirectedAtOnce() async throws {
        try await GoogleHTTP.run { http throws in
            let session = [("Cookie", "google_emulator_session=\(Google.alice)")]
            #expect(try await http.get(Self.authorize(), headers: session).status == 200, "no consent yet: the page")
            _ = try await http.postForm("/o/oauth2/v2/auth/approve", Self.approval(Google.alice))
            let silent = try await http.get(Self.authorize(), headers: session)
            #expect(silent.status == 302)
            #expect(silent.redirectQuery["prompt"] == "none")
            #expect(silent.redirectQuery["code"] != nil)
            #expect(try await http.get(Self.authorize("&prompt=consent"), headers: session).status == 200)
            #expect(try await http.get(Self.authorize("&prompt=select_account"), headers: session).status == 200)
            #expect(
                try await http.get(Self.authorize("&login_hint=\(Google.bob)"), headers: session).status == 200,
                "another account hinted"
            )
        }
    }

    @Test func promptNone() async throws {
        try await GoogleHTTP.run { http throws in
            let noSession = try await http.get(Self.authorize("&prompt=none"))
            #expect(noSession.status == 302)
            #expect(noSession.redirectQuery == ["state": "s 1", "error_subtype": "access_denied", "error": "interaction_required"])
            let session = [("Cookie", "other=1; google_emulator_session=\(Google.bob)")]
            #expect(try await http.get(Self.authorize("&prompt=none"), headers: session).redirectQuery["error"] == "interaction_required")
            _ = try await http.postForm("/o/oauth2/v2/auth/approve", Self.approval(Google.bob))
            let silent = try await http.get(Self.authorize("&prompt=none"), headers: session)
            #expect(silent.redirectQuery["prompt"] == "none")
            #expect(try await http.exchange(try #require(silent.redirectQuery["code"])).status == 200)
        }
        var oidc = GoogleEmulatorConfiguration()
        oidc.uncertain.promptNoneErrors = .oidc
        oidc.uncertain.authorizationResponseIss = .always
        try await GoogleHTTP.run(oidc) { http throws in
            let noSession = try await http.get(Self.authorize("&prompt=none"))
            #expect(noSession.redirectQuery == ["state": "s 1", "error": "login_required", "iss": http.baseURL])
            let consent = try await http.get(Self.authorize("&prompt=none"), headers: [("Cookie", "google_emulator_session=\(Google.bob)")])
            #expect(consent.redirectQuery["error"] == "consent_required")
        }
    }

    @Test func issOmittedAndAnyAccount() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.uncertain.authorizationResponseIss = .omitted
        try await GoogleHTTP.run(configuration) { http throws in
            let redirect = try await http.postForm(
                "/o/oauth2/v2/auth/approve",
                Self.approval(Google.alice, extra: "&other_account=555000111222333444555")
            )
            #expect(redirect.redirectQuery["iss"] == nil)
            let token = try await http.exchange(try #require(redirect.redirectQuery["code"]))
            let accessToken = try #require(token.json["access_token"] as? String)
            let me = try await http.get("/v1/userinfo", headers: [("Authorization", "Bearer \(accessToken)")])
            #expect(me.json["sub"] as? String == "555000111222333444555", "any sub typed in is a synthetic user")
            #expect(try await http.postForm("/o/oauth2/v2/auth/approve", Self.approval("")).status == 400)
        }
    }

    @Test func includeGrantedScopesWidensTheGrant() async throws {
        try await GoogleHTTP.run { http throws in
            _ = try await http.login(#"{"user_id": "\#(Google.alice)", "scope": "openid email"}"#)
            let narrow = try await http.login(#"{"user_id": "\#(Google.alice)", "scope": "openid profile"}"#)
            #expect(narrow.json["scope"] as? String == "https://www.googleapis.com/auth/userinfo.profile openid")
            let wide = try await http.login(#"{"user_id": "\#(Google.alice)", "scope": "openid profile", "include_granted_scopes": true}"#)
            #expect(
                wide.json["scope"] as? String
                    == "https://www.googleapis.com/auth/userinfo.profile openid https://www.googleapis.com/auth/userinfo.email"
            )
        }
    }
}
