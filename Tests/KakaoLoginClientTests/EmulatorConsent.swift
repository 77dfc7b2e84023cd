import AsyncHTTPClient
import Foundation
import KakaoLoginClient
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import TestSupport

/// The user's part of a login, played by the Kakao emulator of `kakao-login dev`: a code for
/// `attempt` as if the test user consented on the page of its authorize URL
/// (`POST /_emulator/codes` with that URL's parameters).
enum EmulatorConsent {
    static func code(for attempt: LoginAttempt, userID: Int64, emulatorURL: String) async throws -> String {
        let query = URLComponents(url: attempt.authorizeURL, resolvingAgainstBaseURL: false)?.queryItems ?? []
        func parameter(_ name: String) -> String { query.first { $0.name == name }?.value ?? "" }
        let consent: [String: Any] = [
            "client_id": parameter("client_id"), "redirect_uri": parameter("redirect_uri"), "user_id": userID,
            "scope": parameter("scope"), "code_challenge": parameter("code_challenge"), "code_challenge_method": "S256",
            "nonce": parameter("nonce"),
        ]
        var request = HTTPClientRequest(url: emulatorURL + "/_emulator/codes")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: consent)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 16)
        guard let code = (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["code"] as? String else {
            throw TestSupportError("the emulator minted no code (\(response.status.code)): \(String(buffer: body))")
        }
        return code
    }
}
