import EmulatorSupport
import Foundation
import Hummingbird
import Synchronization

/// `GET|POST /v1/userinfo` and `/oauth2/v3/userinfo` (OIDC names), and the old shape of
/// `GET /oauth2/v2/userinfo`; the access token comes as `Authorization: Bearer` or `access_token`.
struct UserInfoRoutes {
    let core: GoogleCore

    func userInfo(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        let caller: (TokenRecord, GoogleEmulatorConfiguration.User)
        switch await authenticate(request, context) {
        case .success(let value): caller = value
        case .failure(.unreadable(let response)): return response
        case .failure(.badToken): return GoogleResponses.oauth(.invalidCredentials)
        }
        let (token, user) = caller
        var object = JSONObjectWriter(pretty: true)
        object.add("sub", user.sub)
        if token.scopes.contains(GoogleScopes.profile) {
            Self.addNames(of: user, to: &object)
            if core.configuration.uncertain.localeClaim { object.add("locale", ifPresent: user.locale) }
        }
        if token.scopes.contains(GoogleScopes.email), let email = user.email {
            object.add("email", email)
            object.add("email_verified", user.emailVerified)
        }
        object.add("hd", ifPresent: user.hd)
        return GoogleResponses.json(object.finish())
    }

    /// The old v2 shape: `id`, `email`, `verified_email`, `name`, …
    func userInfoV2(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        let caller: (TokenRecord, GoogleEmulatorConfiguration.User)
        switch await authenticate(request, context) {
        case .success(let value): caller = value
        case .failure(.unreadable(let response)): return response
        case .failure(.badToken):
            return GoogleResponses.apiError(
                status: 401,
                message:
                    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                statusName: "UNAUTHENTICATED"
            )
        }
        let (token, user) = caller
        var object = JSONObjectWriter(pretty: true)
        object.add("id", user.sub)
        if token.scopes.contains(GoogleScopes.email), let email = user.email {
            object.add("email", email)
            object.add("verified_email", user.emailVerified)
        }
        if token.scopes.contains(GoogleScopes.profile) { Self.addNames(of: user, to: &object) }
        object.add("hd", ifPresent: user.hd)
        return GoogleResponses.json(object.finish())
    }

    /// The `profile` members both shapes share, in Google's order.
    private static func addNames(of user: GoogleEmulatorConfiguration.User, to object: inout JSONObjectWriter) {
        object.add("name", ifPresent: user.name)
        object.add("given_name", ifPresent: user.givenName)
        object.add("family_name", ifPresent: user.familyName)
        object.add("picture", ifPresent: user.picture)
    }

    private enum Refusal: Error {
        /// The request could not be read: this answer.
        case unreadable(Response)
        /// No token, or not a live one.
        case badToken
    }

    /// The live access token of the request and its user (to whom the request's time is attributed).
    private func authenticate(
        _ request: Request,
        _ context: EmulatorRequestContext
    ) async -> Result<(TokenRecord, GoogleEmulatorConfiguration.User), Refusal> {
        let form: FormParameters
        switch await GoogleForm.read(request, includeBody: request.method == .post) {
        case .success(let parameters): form = parameters
        case .failure(let failure): return .failure(.unreadable(failure.response))
        }
        let token: String?
        if let header = request.headers[.authorization] {
            token = header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) : nil
        } else {
            token = (try? form.single("access_token")) ?? nil
        }
        let now = core.now
        guard let token, token.utf8.count <= 4096, let caller = core.state.withLock({ $0.resolve(accessToken: token, now: now) }) else {
            return .failure(.badToken)
        }
        context.attribution.attribute(to: caller.1.sub)
        return .success(caller)
    }
}
