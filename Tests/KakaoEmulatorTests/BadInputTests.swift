import EmulatorTestSupport
import KakaoEmulator
import NIOCore
import NIOHTTP1
import Testing

@Suite("Bad input gets Kakao's error shape, never a 500")
struct BadInputTests {
    static func expectKauthError(_ answer: EmulatorHTTP.Answer, status: Int, code: String) {
        #expect(answer.status == status)
        #expect(answer.headers.first(name: "Content-Type") == "application/json;charset=UTF-8")
        #expect(answer.json["error_code"] as? String == code)
        #expect(answer.json["error"] is String)
        #expect(answer.json["error_description"] is String)
        #expect(answer.headers.first(name: "X-Emulator-Elapsed-Ms") != nil)
    }

    static func expectKapiError(_ answer: EmulatorHTTP.Answer, status: Int, code: Int) {
        #expect(answer.status == status)
        #expect(answer.json["code"] as? Int == code)
        #expect(answer.json["msg"] is String)
        #expect(answer.headers.first(name: "X-Emulator-Elapsed-Ms") != nil)
    }

    @Test func tokenEndpoint() async throws {
        try await EmulatorHTTP.run { http throws in
            Self.expectKauthError(
                try await http.postForm("/oauth/token", "grant_type=authorization_code&code=%zz"),
                status: 400,
                code: "KOE001"
            )
            Self.expectKauthError(
                try await http.postForm("/oauth/token", "grant_type=authorization_code&grant_type=refresh_token"),
                status: 400,
                code: "KOE001"
            )
            var nonUTF8 = ByteBuffer(string: "grant_type=")
            nonUTF8.writeBytes([0xFF, 0xFE, 0xC3])
            Self.expectKauthError(
                try await http.send(.POST, "/oauth/token", body: nonUTF8, contentType: "application/x-www-form-urlencoded"),
                status: 400,
                code: "KOE001"
            )
            Self.expectKauthError(try await http.postForm("/oauth/token", "grant_type=%FF"), status: 400, code: "KOE001")
            let oversized = "grant_type=authorization_code&code=" + String(repeating: "a", count: 100_000)
            Self.expectKauthError(try await http.postForm("/oauth/token", oversized), status: 413, code: "KOE001")
            Self.expectKauthError(try await http.postForm("/oauth/token", "grant_type=password"), status: 400, code: "KOE310")
            Self.expectKauthError(try await http.postForm("/oauth/token", ""), status: 400, code: "KOE310")
            Self.expectKauthError(try await http.postForm("/oauth/token", "&&==&=x&"), status: 400, code: "KOE310")
            Self.expectKauthError(
                try await http.postJSON("/oauth/token", #"{"grant_type":"authorization_code"}"#),
                status: 400,
                code: "KOE310"
            )
            Self.expectKauthError(try await http.postForm("/oauth/token", "grant_type=authorization_code"), status: 401, code: "KOE101")
            Self.expectKauthError(
                try await http.postForm("/oauth/token", "grant_type=authorization_code&client_id=emulator-rest-api-key"),
                status: 400,
                code: "KOE320"
            )
            Self.expectKauthError(
                try await http.postForm("/oauth/token", "grant_type=refresh_token&client_id=emulator-rest-api-key"),
                status: 400,
                code: "KOE319"
            )
            Self.expectKauthError(try await http.get("/oauth/token"), status: 404, code: "KOE001")
        }
    }

    @Test func queryParametersFillInForAMissingBody() async throws {
        try await EmulatorHTTP.run { http throws in
            let code = try http.emulator.mintCode(userID: 5)
            let answer = try await http.send(
                .POST,
                "/oauth/token?grant_type=authorization_code&client_id=emulator-rest-api-key&redirect_uri=\(EmulatorHTTP.encodedRedirectURI)&code=\(code)"
            )
            #expect(answer.status == 200)
        }
    }

    @Test func kapiEndpoints() async throws {
        try await EmulatorHTTP.run { http throws in
            Self.expectKapiError(try await http.get("/v2/user/me"), status: 401, code: -401)
            Self.expectKapiError(try await http.get("/v2/user/me", headers: [("Authorization", "Bearer")]), status: 401, code: -401)
            Self.expectKapiError(try await http.get("/v2/user/me", headers: [("Authorization", "Basic abc")]), status: 401, code: -401)
            Self.expectKapiError(
                try await http.get("/v2/user/me", headers: [("Authorization", "Bearer garbage%%!!~~ \"quoted\"")]),
                status: 401,
                code: -401
            )
            Self.expectKapiError(
                try await http.get("/v2/user/me", headers: [("Authorization", "Bearer " + String(repeating: "x", count: 5000))]),
                status: 400,
                code: -2
            )
            Self.expectKapiError(try await http.get("/v2/user/me?secure_resource=%FF"), status: 400, code: -2)
            Self.expectKapiError(
                try await http.get("/v1/user/access_token_info", headers: [("Authorization", "KakaoAK emulator-admin-key")]),
                status: 401,
                code: -401
            )
            Self.expectKapiError(
                try await http.postForm(
                    "/v1/user/unlink",
                    "target_id_type=user_id",
                    headers: [("Authorization", "KakaoAK emulator-admin-key")]
                ),
                status: 400,
                code: -2
            )
            Self.expectKapiError(
                try await http.postForm(
                    "/v1/user/unlink",
                    "target_id_type=user_id&target_id=1",
                    headers: [("Authorization", "KakaoAK wrong")]
                ),
                status: 401,
                code: -401
            )
            Self.expectKapiError(
                try await http.postForm(
                    "/v1/user/unlink",
                    "target_id_type=user_id&target_id=999",
                    headers: [("Authorization", "KakaoAK emulator-admin-key")]
                ),
                status: 400,
                code: -101
            )
            Self.expectKapiError(try await http.get("/v1/user/logout"), status: 404, code: -9)
            Self.expectKapiError(try await http.get("/no/such/path"), status: 404, code: -9)
        }
    }

    @Test func propertyKeysFilterAndValidation() async throws {
        try await EmulatorHTTP.run { http throws in
            let code = try http.emulator.mintCode(userID: 3_141_592_653)
            let token = try #require(try await http.exchange(code).json["access_token"] as? String)
            let auth = [("Authorization", "Bearer \(token)")]
            let filtered = try await http.postForm("/v2/user/me", #"property_keys=%5B%22kakao_account.email%22%5D"#, headers: auth)
            #expect(filtered.status == 200)
            let account = try #require(filtered.json["kakao_account"] as? [String: Any])
            #expect(account["email"] as? String == "ryan@emulator.kakao.test")
            #expect(account["profile"] == nil)
            #expect(filtered.json["properties"] == nil)
            Self.expectKapiError(try await http.postForm("/v2/user/me", "property_keys=not-json", headers: auth), status: 400, code: -2)
            let insecure = try await http.get("/v2/user/me", headers: auth)
            #expect(insecure.body.contains("http://k.kakaocdn.net"))
            let secure = try await http.get("/v2/user/me?secure_resource=true", headers: auth)
            #expect(secure.body.contains("https://k.kakaocdn.net"))
            #expect(!secure.body.contains("http://k.kakaocdn.net"))
        }
    }

    @Test func controlEndpoints() async throws {
        try await EmulatorHTTP.run { http throws in
            #expect(try await http.postJSON("/_emulator/codes", "not json").status == 400)
            #expect(try await http.postJSON("/_emulator/codes", #"{"user_id": 1.5}"#).status == 400)
            #expect(try await http.postJSON("/_emulator/codes", #"{"client_id": "nope"}"#).json["error_code"] as? String == "KOE101")
            #expect(
                try await http.postJSON("/_emulator/codes", #"{"redirect_uri": "http://evil/cb"}"#).json["error_code"] as? String
                    == "KOE006"
            )
            #expect(try await http.postJSON("/_emulator/codes", #"{"scope": "talk_message"}"#).json["error_code"] as? String == "KOE205")
            #expect(try await http.postJSON("/_emulator/faults", #"{"error_rate": 2}"#).status == 400)
            #expect(try await http.postJSON("/_emulator/faults", #"{"error_rate": 0.6, "drop_rate": 0.6}"#).status == 400)
            #expect(try await http.postJSON("/_emulator/faults", #"{"latency_ms": -1}"#).status == 400)
            #expect(try await http.postJSON("/_emulator/clock", #"{"advance_seconds": "x"}"#).status == 400)
        }
    }
}
