import AsyncHTTPClient
import EmulatorSupport
import Foundation
import Hummingbird
import NIOHTTP1
import Synchronization

/// `POST /_emulator/users/{user_id}/unlink`: the user disconnects the app from their Kakao
/// account. As Kakao does, the emulator ends the user's tokens for the app and calls the app's
/// unlink callback: `POST` with the form `app_id`, `user_id`, `referrer_type` and
/// `Authorization: KakaoAK <admin key>`. The body may give `callback_url` (else the configured
/// ``KakaoEmulatorConfiguration/unlinkCallbackURL``) and `referrer_type` (`UNLINK_FROM_APPS`).
/// Answers `{"user_id", "callback_status"}`; 400 when the user is not linked to the app, the app
/// has no admin key or no callback URL is known; 502 when the callback could not be reached.
extension KakaoControlRoutes {
    static let unlinkUserPath = "/_emulator/users/:user_id/unlink"

    struct UnlinkRequestBody: Decodable {
        var callbackURL: String?
        var referrerType: String?
        enum CodingKeys: String, CodingKey {
            case callbackURL = "callback_url"
            case referrerType = "referrer_type"
        }
    }

    func unlinkUser(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        let app = core.configuration.apps[0]
        guard let userID = context.parameters.get("user_id").flatMap({ Int64($0) }),
            let body = await JSONBody.decode(UnlinkRequestBody.self, from: request)
        else {
            return failure("the path needs a user id (a 64-bit integer) and the body, if any, a JSON object: callback_url, referrer_type")
        }
        guard let adminKey = app.adminKey else { return failure("the app has no admin key, which Kakao's callback carries") }
        guard let callbackURL = body.callbackURL ?? core.configuration.unlinkCallbackURL, URL(string: callbackURL)?.host != nil else {
            return failure("no unlink callback URL: configure unlink_callback_url or send callback_url")
        }
        let revoked = core.state.withLock { $0.revoke(appID: app.appID, userID: userID, unlink: true) }
        guard case .success = revoked else { return failure("the user is not linked to the app") }

        var callback = HTTPClientRequest(url: callbackURL)
        callback.method = .POST
        callback.headers.add(name: "Authorization", value: "KakaoAK \(adminKey)")
        callback.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
        let referrerType = body.referrerType ?? "UNLINK_FROM_APPS"
        let encodedReferrer = referrerType.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "UNLINK_FROM_APPS"
        callback.body = .bytes(ByteBuffer(string: "app_id=\(app.appID)&user_id=\(userID)&referrer_type=\(encodedReferrer)"))
        var answer = JSONObjectWriter()
        answer.add("user_id", userID)
        do {
            let response = try await HTTPClient.shared.execute(callback, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            answer.add("callback_status", Int(response.status.code))
            return KakaoResponses.json(answer.finish())
        } catch {
            answer.add("callback_error", "unreachable")
            return KakaoResponses.json(answer.finish(), status: 502)
        }
    }
}
