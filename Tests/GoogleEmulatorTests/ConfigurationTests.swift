import EmulatorTestSupport
import Foundation
import GoogleEmulator
import Testing

@Suite("Google emulator: configuration")
struct ConfigurationTests {
    @Test func jsonFile() throws {
        let json = """
            {"code_lifetime_seconds": 30, "id_token_issuer_form": "without_scheme", "issuer": "https://accounts.emulator.test",
             "clients": [{"client_id": "c.apps.googleusercontent.com", "client_secret": "s", "redirect_uris": ["http://127.0.0.1:3000/cb"]},
                         {"client_id": "app.apps.googleusercontent.com", "type": "installed", "client_secrets": [], "redirect_uris": ["http://127.0.0.1/cb"]}],
             "users": [{"sub": "100000000000000000001", "email": "x@example.test", "email_verified": false, "hd": "example.test"}],
             "uncertain": {"prompt_none_errors": "oidc", "quota_status": 403, "revoke_body": "empty_object", "key_rotation": "immediate",
                           "authorization_response_iss": "always", "locale_claim": true},
             "faults": {"latency_ms": 3}}
            """
        let configuration = try GoogleEmulatorConfiguration.decode(json: Data(json.utf8))
        #expect(configuration.codeLifetimeSeconds == 30)
        #expect(configuration.idTokenIssuerForm == .withoutScheme)
        #expect(configuration.clients[0].clientSecrets == ["s"])
        #expect(configuration.clients[1].type == .installed)
        #expect(configuration.users[0].emailVerified == false)
        #expect(configuration.users[0].hd == "example.test")
        #expect(configuration.uncertain.promptNoneErrors == .oidc)
        #expect(configuration.uncertain.quotaStatus == 403)
        #expect(configuration.uncertain.revokeBody == .emptyObject)
        #expect(configuration.uncertain.keyRotation == .immediate)
        #expect(configuration.uncertain.authorizationResponseIss == .always)
        #expect(configuration.uncertain.localeClaim)
        #expect(!configuration.uncertain.revokeTokensOnCodeReuse)
        #expect(configuration.faults.latencyMs == 3)
        #expect(try GoogleEmulatorConfiguration.decode(json: Data("{}".utf8)).clients[0].clientID == Google.clientID)
        for bad in [
            #"{"clients": []}"#, #"{"users": [{"email": "no sub"}]}"#, #"{"faults": {"error_rate": 3}}"#, "[",
            #"{"code_lifetime_seconds": 0}"#, #"{"uncertain": {"quota_status": 500}}"#, #"{"id_token_issuer_form": "weird"}"#,
            #"{"clients": [{"client_secrets": []}]}"#, #"{"users": [{"sub": "a b"}]}"#,
        ] {
            #expect(throws: GoogleEmulatorError.self, "\(bad)") { try GoogleEmulatorConfiguration.decode(json: Data(bad.utf8)) }
        }
    }

    @Test func theExampleFileLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/emulator-config.google.example.json").path
        let configuration = try GoogleEmulatorConfiguration.load(contentsOf: path)
        #expect(configuration.clients.count == 2)
        #expect(configuration.users.count == 4)
        #expect(configuration.uncertain == GoogleEmulatorConfiguration.Uncertain(), "the example spells out the defaults")
    }

    @Test func installedClientsMayOmitTheSecret() async throws {
        let installed = GoogleEmulatorConfiguration.Client(
            clientID: "app.apps.googleusercontent.com",
            clientSecrets: [],
            redirectURIs: ["http://127.0.0.1:3000/cb"],
            type: .installed
        )
        try await GoogleHTTP.run(GoogleEmulatorConfiguration(clients: [installed])) { http throws in
            let code = try http.emulator.mintCode()
            let answer = try await http.postForm(
                "/token",
                "grant_type=authorization_code&client_id=\(installed.clientID)&redirect_uri=\(Google.encode("http://127.0.0.1:3000/cb"))&code=\(Google.encode(code))"
            )
            #expect(answer.status == 200)
        }
    }
}
