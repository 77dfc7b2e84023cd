import EmulatorSupport
import Foundation
import Hummingbird
import Synchronization

/// `GET|POST /tokeninfo` (and `/oauth2/v3/tokeninfo`), Google's debugging endpoint: an ID token's
/// payload, or an access token's facts, with every value as a string.
struct TokenInfoRoutes {
    let core: GoogleCore

    func tokenInfo(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        let form: FormParameters
        switch await GoogleForm.read(request, includeBody: request.method == .post) {
        case .success(let parameters): form = parameters
        case .failure(let failure): return failure.response
        }
        do {
            if let idToken = try form.single("id_token") { return idTokenInfo(idToken) }
            if let accessToken = try form.single("access_token") { return accessTokenInfo(accessToken, context: context) }
            return GoogleResponses.oauth(.invalidRequest("Either access_token or id_token is required."))
        } catch {
            return GoogleForm.answer(error)
        }
    }

    /// One claim's value as a string (tokeninfo writes numbers and booleans as strings).
    private struct ClaimText: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                text = flag ? "true" : "false"
            } else if let number = try? container.decode(Int64.self) {
                text = String(number)
            } else {
                text = try container.decode(String.self)
            }
        }
    }

    /// The payload of an ID token this emulator signed with a published key and that has not
    /// expired, values stringified, plus `alg`, `kid` and `typ`.
    private func idTokenInfo(_ token: String) -> Response {
        guard let (kid, payload) = core.keys.verified(token),
            let claims = try? JSONDecoder().decode([String: ClaimText].self, from: Data(payload)),
            let expiry = claims["exp"].flatMap({ Double($0.text) }), expiry > core.now
        else { return GoogleResponses.oauth(.invalidTokenValue) }
        var object = JSONObjectWriter(pretty: true)
        for (name, claim) in claims.sorted(by: { $0.key < $1.key }) { object.add(name, claim.text) }
        object.add("alg", "RS256")
        object.add("kid", kid)
        object.add("typ", "JWT")
        return GoogleResponses.json(object.finish())
    }

    private func accessTokenInfo(_ token: String, context: EmulatorRequestContext) -> Response {
        let now = core.now
        guard token.utf8.count <= 4096, let (record, user) = core.state.withLock({ $0.resolve(accessToken: token, now: now) }) else {
            return GoogleResponses.oauth(.invalidTokenValue)
        }
        context.attribution.attribute(to: user.sub)
        let expiry = Int64(record.expiresAt ?? now)
        var object = JSONObjectWriter(pretty: true)
        object.add("azp", record.clientID)
        object.add("aud", record.clientID)
        object.add("sub", user.sub)
        object.add("scope", GoogleScopes.tokenScope(record.scopes))
        object.add("exp", String(expiry))
        object.add("expires_in", String(max(0, expiry - Int64(now))))
        if record.scopes.contains(GoogleScopes.email), let email = user.email {
            object.add("email", email)
            object.add("email_verified", user.emailVerified ? "true" : "false")
        }
        object.add("access_type", record.offline ? "offline" : "online")
        return GoogleResponses.json(object.finish())
    }
}
