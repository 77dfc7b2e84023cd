import EmulatorTestSupport
import Foundation
import GoogleEmulator
import Logging

/// Plain HTTP against a running Google emulator.
typealias GoogleHTTP = EmulatorClient<GoogleEmulator>

extension EmulatorClient where Emulator == GoogleEmulator {
    static func run(
        _ configuration: GoogleEmulatorConfiguration = GoogleEmulatorConfiguration(),
        _ body: (GoogleHTTP) async throws -> Void
    ) async throws {
        let emulator = try GoogleEmulator(
            configuration: configuration,
            signingKeyPEM: testSigningKeyPEM,
            logger: Logger(label: "google-emulator-tests")
        )
        try await run(emulator, body)
    }

    /// Exchanges `code` with the default client (client_secret_post) and redirect URI.
    func exchange(_ code: String, extra: String = "") async throws -> Answer {
        try await postForm(
            "/token",
            "grant_type=authorization_code&client_id=\(Google.clientID)&client_secret=\(Google.clientSecret)&redirect_uri=\(Google.encodedRedirectURI)&code=\(Google.encode(code))\(extra)"
        )
    }

    /// Mints a code over `/_emulator/codes` and exchanges it.
    func login(_ json: String = "{}", extra: String = "") async throws -> Answer {
        let minted = try await postJSON("/_emulator/codes", json)
        guard let code = minted.json["code"] as? String else { throw GoogleTestError("no code: \(minted.status) \(minted.body)") }
        return try await exchange(code, extra: extra)
    }
}

/// The fixed points and small helpers the tests share.
enum Google {
    static let clientID = "emulator-google-client-id.apps.googleusercontent.com"
    static let clientSecret = "emulator-google-client-secret"
    static let redirectURI = "http://127.0.0.1:8080/auth/google/callback"
    static let encodedRedirectURI = encode(redirectURI)
    static let alice = "108234567890123456789"
    static let bob = "109876543210987654321"
    static let carol = "110112233445566778899"

    /// Percent-encodes a form value (codes contain `/`).
    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }

    /// `Authorization: Basic` for the default client.
    static var basic: (String, String) {
        ("Authorization", "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString())
    }
}

struct GoogleTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
