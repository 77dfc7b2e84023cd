import EmulatorTestSupport
import Foundation
import GoogleEmulator
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// Garbage gets Google's answers (an OAuth error, the front end's page), never a 500.
@Suite("Google emulator: bad input")
struct BadInputTests {
    static let client = "&client_id=\(Google.clientID)&client_secret=\(Google.clientSecret)"

    @Test func tokenEndpoint() async throws {
        try await GoogleHTTP.run { http throws in
            func expect(_ answer: GoogleHTTP.Answer, _ status: Int, _ error: String, _ description: String? = nil) {
                #expect(answer.status == status, "\(answer.body)")
                #expect(answer.json["error"] as? String == error, "\(answer.body)")
                if let description { #expect(answer.json["error_description"] as? String == description, "\(answer.body)") }
            }
            let code = try http.emulator.mintCode()
            expect(try await http.postForm("/token", ""), 400, "unsupported_grant_type", "Invalid grant_type: ")
            expect(
                try await http.postForm("/token", "grant_type=password" + Self.client),
                400,
                "unsupported_grant_type",
                "Invalid grant_type: password"
            )
            expect(
                try await http.postJSON("/token", #"{"grant_type": "authorization_code", "code": "4/0Ax"}"#),
                400,
                "unsupported_grant_type",
                "Invalid grant_type: "
            )
            expect(
                try await http.send(.POST, "/token", body: ByteBuffer(string: "grant_type=authorization_code"), contentType: "text/plain"),
                400,
                "unsupported_grant_type"
            )
            expect(try await http.postForm("/token", "grant_type=authorization_code&grant_type=refresh_token"), 400, "invalid_request")
            expect(try await http.postForm("/token", "grant_type=authorization_code&code=a&code=b" + Self.client), 400, "invalid_request")
            expect(try await http.postForm("/token", "grant_type=%zz"), 400, "invalid_request")
            var nonUTF8 = ByteBuffer(string: "grant_type=authorization_code&code=")
            nonUTF8.writeBytes([0xFF, 0xFE, 0xC3])
            expect(
                try await http.send(.POST, "/token", body: nonUTF8, contentType: "application/x-www-form-urlencoded"),
                400,
                "invalid_request"
            )
            expect(try await http.postForm("/token", "grant_type=authorization_code&code=%FF" + Self.client), 400, "invalid_request")
            expect(try await http.postForm("/token", "&&==&=x&"), 400, "unsupported_grant_type")
            expect(
                try await http.postForm(
                    "/token",
                    "grant_type=authorization_code&code=\"4/0Aquoted\"&redirect_uri=\(Google.encodedRedirectURI)" + Self.client
                ),
                400,
                "invalid_grant",
                "Malformed auth code."
            )
            expect(
                try await http.postForm(
                    "/token",
                    "grant_type=authorization_code&code=4/0A" + String(repeating: "x", count: 300) + "&redirect_uri=x" + Self.client
                ),
                400,
                "invalid_grant",
                "Malformed auth code."
            )
            let oversized = try await http.postForm(
                "/token",
                "grant_type=authorization_code&code=" + String(repeating: "a", count: 100_000)
            )
            #expect(oversized.status == 413)
            #expect(oversized.headers.first(name: "Content-Type") == "text/html; charset=UTF-8")
            #expect(oversized.body.contains("Error 413"))
            #expect(try await http.exchange(code).status == 200, "nothing above touched the code")
        }
    }

    @Test func everyOtherPathAndMethod() async throws {
        try await GoogleHTTP.run { http throws in
            let unknown = try await http.get("/no/such/path")
            #expect(unknown.status == 404)
            #expect(unknown.headers.first(name: "Content-Type") == "text/html; charset=UTF-8")
            #expect(unknown.body.contains("<title>Error 404 (Not Found)!!1</title>"))
            #expect(unknown.body.contains("The requested URL <code>/no/such/path</code> was not found on this server."))
            #expect(try await http.get("/token").status == 404, "GET /token: the front end's 404 page (Google's status is UNCERTAIN)")
            #expect(try await http.send(.DELETE, "/revoke").status == 404)
            var garbage = ByteBuffer()
            garbage.writeBytes((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 37) })
            for path in [
                "/v1/userinfo", "/revoke", "/tokeninfo", "/o/oauth2/v2/auth/approve", "/_emulator/codes", "/_emulator/faults",
                "/_emulator/clock",
            ] {
                for contentType in ["application/x-www-form-urlencoded", "application/json", "text/plain"] {
                    let answer = try await http.send(.POST, path, body: garbage, contentType: contentType)
                    #expect((400..<500).contains(answer.status), "\(path) \(contentType): \(answer.status)")
                }
                let huge = try await http.send(
                    .POST,
                    path,
                    body: ByteBuffer(string: "token=" + String(repeating: "t", count: 100_000)),
                    contentType: "application/x-www-form-urlencoded"
                )
                #expect((400..<500).contains(huge.status), "\(path) huge: \(huge.status)")
            }
            for query in ["access_token=%FF", "access_token=a&access_token=b", "id_token=%zz"] {
                #expect(try await http.get("/tokeninfo?\(query)").status == 400)
                #expect([400, 401].contains(try await http.get("/v1/userinfo?\(query)").status))
            }
            #expect(try await http.postForm("/revoke", "token=a&token=b").json["error"] as? String == "invalid_request")
            #expect(
                try await http.get("/v1/userinfo", headers: [("Authorization", "Bearer " + String(repeating: "x", count: 5000))]).status
                    == 401
            )
            #expect(try await http.get("/o/oauth2/v2/auth?" + String(repeating: "a=1&", count: 2000)).status == 400)
            let silent = try await http.get(
                AuthorizeTests.authorize("&prompt=none"),
                headers: [("Cookie", "google_emulator_session=not a sub")]
            )
            #expect(silent.redirectQuery["error"] == "interaction_required", "a cookie that names no valid sub is no session")
        }
    }

    /// What no HTTP client sends as is (it would normalise the URL first): straight to the router.
    @Test func rawPathsAndQueries() async throws {
        let emulator = try GoogleEmulator(signingKeyPEM: testSigningKeyPEM, logger: Logger(label: "google-emulator-tests"))
        let peer = InProcessPeer(router: emulator.buildRouter(), remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 40_000))
        let escaped = try await peer.send(.get, "/<script>")
        #expect(escaped.status == 404)
        #expect(escaped.body.contains("<code>/&lt;script&gt;</code>"))
        for query in ["state=%zz", "client_id=%", "client_id=%F0%28%8C%BC", "scope=%00%zz"] {
            let page = try await peer.send(.get, "/o/oauth2/v2/auth?" + query)
            #expect(page.status == 400, "\(query)")
            #expect(page.body.contains("Error 400: invalid_request"), "\(query)")
        }
        for path in ["/v1/userinfo?access_token=%zz", "/tokeninfo?id_token=%", "/o/oauth2/revoke?token=%C3"] {
            let answer = try await peer.send(.get, path)
            #expect(answer.status == 400, "\(path)")
            #expect(answer.body.contains(#""error": "invalid_request""#), "\(path)")
        }
        let approve = try await peer.send(
            .post,
            "/o/oauth2/v2/auth/approve",
            body: "state=%zz",
            contentType: "application/x-www-form-urlencoded"
        )
        #expect(approve.status == 400)
    }
}
