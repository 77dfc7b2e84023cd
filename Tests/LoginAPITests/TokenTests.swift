import Foundation
import JWTKit
import KakaoEmulator
import LoginAPI
import NIOHTTP1
import TestSupport
import Testing

/// App tokens over HTTP: refresh rotation, reuse, logout, `/me`, and the JWKS.
@Suite("Tokens")
struct TokenTests {
    @Test("refresh rotates; the old token within the grace gets the same child; logout; /me refused after")
    func refreshReuseLogout() async throws {
        try await Harness.run { harness in
            let login = try await harness.logIn()
            let access = try #require(login["access_token"] as? String)
            let refresh = try #require(login["refresh_token"] as? String)

            let me = try await harness.send(.GET, "/me", headers: [("Authorization", "Bearer \(access)")])
            #expect(me.status == 200)
            #expect(me.headers["Cache-Control"].first == "no-store")
            let user = try me.object()
            #expect(user["id"] as? String == (login["user"] as? [String: Any])?["id"] as? String)

            let rotated = try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(refresh)"}"#)
            #expect(rotated.status == 200)
            #expect(rotated.headers["Cache-Control"].first == "no-store")
            let pair = try rotated.object()
            let child = try #require(pair["refresh_token"] as? String)
            #expect(child != refresh)
            #expect(pair["token_type"] as? String == "Bearer")
            #expect(pair["access_token"] is String)

            // A client that lost the answer presents the old token again: the same child.
            let replay = try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(refresh)"}"#)
            #expect(replay.status == 200)
            #expect(try replay.object()["refresh_token"] as? String == child)

            let logout = try await harness.send(.POST, "/auth/logout", body: #"{"refresh_token": "\#(child)"}"#)
            #expect(logout.status == 204)
            let refused = try await harness.send(.GET, "/me", headers: [("Authorization", "Bearer \(access)")])
            #expect(refused.status == 401)
            #expect(try refused.errorCode() == "session_revoked")
            #expect(refused.headers["WWW-Authenticate"].first?.hasPrefix("Bearer") == true)
            let afterLogout = try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(child)"}"#)
            #expect(afterLogout.status == 401)
            #expect(try afterLogout.errorCode() == "session_revoked")
        }
    }

    @Test("access tokens verify against the published JWKS")
    func jwtVerifiesAgainstJWKS() async throws {
        try await Harness.run { harness in
            let login = try await harness.logIn()
            let access = try #require(login["access_token"] as? String)
            let jwks = try await harness.send(.GET, "/.well-known/jwks.json")
            #expect(jwks.status == 200)
            let keys = JWTKeyCollection()
            try await keys.add(jwksJSON: jwks.body)
            let claims = try await keys.verify(access, as: TestClaims.self)
            #expect(claims.iss.value == "kakao-login")
            #expect(claims.aud.value.contains("kakao-login"))
            #expect(claims.sub.value == (login["user"] as? [String: Any])?["id"] as? String)
            #expect(!claims.sid.isEmpty)
            #expect(!claims.jti.value.isEmpty)
        }
    }

    @Test("malformed, forged and unknown bearer tokens are 401 invalid_access_token")
    func badBearer() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let forged = try await JWTKeyCollection().add(ecdsa: ES256PrivateKey(), kid: "test-1")
                .sign(TestClaims.sample, kid: "test-1")
            for header in ["", "Bearer", "Bearer ", "Basic abc", "Bearer not.a.jwt", "Bearer \(forged)"] {
                let answer = try await harness.send(.GET, "/me", headers: header.isEmpty ? [] : [("Authorization", header)])
                #expect(answer.status == 401, "\(header)")
                #expect(try answer.errorCode() == "invalid_access_token")
            }
        }
    }

    @Test("unknown and malformed refresh tokens are 401, and a missing one is 400; nothing is written")
    func badRefreshTokens() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let before = try await harness.rowCounts()
            for (body, status, code) in [
                (#"{"refresh_token": "x"}"#, 401, "invalid_refresh_token"),
                (#"{"refresh_token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#, 401, "invalid_refresh_token"),
                (#"{}"#, 400, "invalid_request"),
                (#"{"refresh_token": 5}"#, 400, "invalid_request"),
            ] {
                for path in ["/auth/token/refresh", "/auth/logout"] {
                    let answer = try await harness.send(.POST, path, body: body)
                    #expect(answer.status == status, "\(path) \(body)")
                    #expect(try answer.errorCode() == code, "\(path) \(body)")
                }
            }
            #expect(try await harness.rowCounts() == before)
        }
    }
}

/// The access-token claims, as a verifier outside this codebase would read them.
struct TestClaims: JWTPayload {
    var iss: IssuerClaim
    var aud: AudienceClaim
    var sub: SubjectClaim
    var sid: String
    var jti: IDClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) throws {
        try exp.verifyNotExpired()
    }

    static var sample: TestClaims {
        TestClaims(
            iss: "kakao-login",
            aud: "kakao-login",
            sub: .init(value: UUID().uuidString.lowercased()),
            sid: UUID().uuidString.lowercased(),
            jti: .init(value: "x"),
            iat: .init(value: Date()),
            exp: .init(value: Date().addingTimeInterval(600))
        )
    }
}
