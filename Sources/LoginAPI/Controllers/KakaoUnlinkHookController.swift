import Accounts
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `GET|POST /hooks/kakao/unlink`: Kakao's unlink callback, called when a user disconnects the
/// app from their Kakao account (or deletes it). Kakao sends `Authorization: KakaoAK <admin key>`
/// and `app_id`, `user_id`, `referrer_type` as query parameters or a form body; the identity is
/// marked unlinked and its user's sessions end, in one statement, with no call to Kakao. A wrong
/// key is `401` and changes nothing; an unknown or already unlinked user is `200` (Kakao expects
/// it; calling twice is one unlink); a missing or malformed `user_id` is `400`.
struct KakaoUnlinkHookController: Sendable {
    let hook: LoginAPIConfiguration.KakaoUnlinkHook
    let identities: UserIdentities

    func unlink(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard Self.presents(request.headers[.authorization], key: hook.adminKey) else {
            throw APIError(.unauthorized, .invalidCallbackKey, "The callback's Authorization is not KakaoAK with this app's admin key.")
        }
        var parameters = Self.parameters(request.uri.query)
        if request.method == .post {
            let body = try await request.body.collect(upTo: 4096)
            parameters.merge(Self.parameters(String(buffer: body))) { query, _ in query }
        }
        guard let userID = parameters["user_id"], let id = Int64(userID), id > 0 else {
            throw APIError(.badRequest, .invalidRequest, "user_id must be the Kakao user id (a positive integer).")
        }
        let unlinked = try await identities.unlinkedByProvider(provider: hook.provider, subject: String(id))
        context.logger.info(
            "kakao_unlink_callback",
            metadata: [
                "kakao.referrer_type": "\(Self.referrerType(parameters["referrer_type"]))",
                "user.id": "\(unlinked?.uuidString.lowercased() ?? "-")",
            ]
        )
        return JSONBody.response(UnlinkHookAnswer())
    }

    /// Whether `header` is `KakaoAK <key>`, compared in constant time.
    static func presents(_ header: String?, key: String) -> Bool {
        guard let header, header.hasPrefix("KakaoAK ") else { return false }
        let given = SHA256.hash(data: Data(header.dropFirst("KakaoAK ".count).utf8))
        let expected = SHA256.hash(data: Data(key.utf8))
        // Digests of equal length: comparing them byte by byte takes the same time either way.
        return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `name=value&…` decoded (`+` as space, percent escapes); the first of a repeated name wins.
    static func parameters(_ text: String?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (text ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decoded(parts[0]), result[name] == nil else { continue }
            result[name] = parts.count == 2 ? decoded(parts[1]) : ""
        }
        return result
    }

    /// Kakao's `referrer_type` for the log line when it is one of its known values, else `other`.
    static func referrerType(_ value: String?) -> String {
        guard let value else { return "none" }
        return ["ACCOUNT_DELETE", "FORCED_ACCOUNT_DELETE", "UNLINK_FROM_APPS"].contains(value) ? value : "other"
    }
}

/// `200` of the unlink callback.
struct UnlinkHookAnswer: Encodable {
    let status = "ok"
}
