import EmulatorSupport
import Foundation
import Hummingbird
import Synchronization

/// The kapi paths a login backend calls: `/v2/user/me`, `/v1/user/access_token_info`,
/// `/v1/user/logout`, `/v1/user/unlink`, and OIDC's `/v1/oidc/userinfo`.
struct UserRoutes {
    let core: EmulatorCore

    /// Who a kapi call acts for: the app, the user, their link.
    private struct Caller {
        let app: KakaoEmulatorConfiguration.App
        let user: KakaoEmulatorConfiguration.User
        let link: Link
        /// Set for Bearer calls (nil for admin-key calls).
        let token: TokenRecord?
    }

    /// The credential in `Authorization`.
    private enum Credential {
        case bearer(String)
        case adminKey(String)

        init?(header: String?) {
            guard let header else { return nil }
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2 else { return nil }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            switch parts[0].lowercased() {
            case "bearer": self = .bearer(value)
            case "kakaoak": self = .adminKey(value)
            default: return nil
            }
        }
    }

    func userMe(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        await handle(request, context, includeBody: request.method == .post, allowAdminKey: true) { caller, form in
            if let restriction = caller.user.restriction { return KakaoResponses.kapi(.restriction(restriction)) }
            let required = caller.app.consentItems.filter { $0.required && !caller.link.scopes.contains($0.id) }.map(\.id)
            guard required.isEmpty else {
                return KakaoResponses.kapi(.insufficientScopes(required: required, allowed: caller.link.scopes.sorted()))
            }
            var propertyKeys: Set<String>?
            if let raw = try form.single("property_keys") {
                guard let keys = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String] else {
                    return KakaoResponses.kapi(.invalidParameter("property_keys must be a JSON array of strings"))
                }
                propertyKeys = Set(keys)
            }
            let body = UserMeRenderer(
                user: caller.user,
                scopes: caller.link.scopes,
                configuredItems: Set(caller.app.consentItems.map(\.id)),
                connectedAt: caller.link.connectedAt,
                propertyKeys: propertyKeys,
                secureResource: try form.single("secure_resource") == "true"
            ).render()
            return KakaoResponses.json(body)
        }
    }

    /// `GET|POST /v1/oidc/userinfo`: the OIDC names of what the user agreed to.
    func oidcUserInfo(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        await handle(request, context, includeBody: request.method == .post, allowAdminKey: false) { caller, _ in
            let user = caller.user
            let scopes = caller.link.scopes
            var object = JSONObjectWriter()
            object.add("sub", String(user.id))
            if scopes.contains("profile_nickname") { object.add("nickname", ifPresent: user.nickname) }
            if scopes.contains("profile_image") { object.add("picture", ifPresent: user.thumbnailImageURL) }
            if scopes.contains("account_email"), let email = user.email {
                object.add("email", email)
                object.add("email_verified", user.isEmailValid && user.isEmailVerified)
            }
            if scopes.contains("name") { object.add("name", ifPresent: user.name) }
            if scopes.contains("gender") { object.add("gender", ifPresent: user.gender) }
            if scopes.contains("phone_number") { object.add("phone_number", ifPresent: user.phoneNumber) }
            return KakaoResponses.json(object.finish())
        }
    }

    func accessTokenInfo(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        await handle(request, context, includeBody: false, allowAdminKey: false) { caller, _ in
            var object = JSONObjectWriter()
            object.add("id", caller.user.id)
            object.add("expires_in", max(0, Int((caller.token?.expiresAt ?? 0) - core.now)))
            object.add("app_id", caller.app.appID)
            return KakaoResponses.json(object.finish())
        }
    }

    func logout(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        await revoke(request, context, unlink: false)
    }

    func unlink(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        await revoke(request, context, unlink: true)
    }

    private func revoke(_ request: Request, _ context: EmulatorRequestContext, unlink: Bool) async -> Response {
        await handle(request, context, includeBody: true, allowAdminKey: true) { caller, _ in
            let result = core.state.withLock { $0.revoke(appID: caller.app.appID, userID: caller.user.id, unlink: unlink) }
            guard case .success = result else { return KakaoResponses.kapi(.notLinked) }
            var object = JSONObjectWriter()
            object.add("id", caller.user.id)
            return KakaoResponses.json(object.finish())
        }
    }

    /// Reads the parameters, authenticates the caller (and attributes the request's time to
    /// them), runs `body`; every failure is a kapi error.
    private func handle(
        _ request: Request,
        _ context: EmulatorRequestContext,
        includeBody: Bool,
        allowAdminKey: Bool,
        _ body: (Caller, FormParameters) throws -> Response
    ) async -> Response {
        let form: FormParameters
        switch await RequestForm.read(request, includeBody: includeBody) {
        case .success(let parameters): form = parameters
        case .failure(.tooLarge): return KakaoResponses.kapi(.invalidParameter("request body too large", status: 413))
        case .failure(.malformed(let reason)): return KakaoResponses.kapi(.invalidParameter(reason))
        }
        do {
            let caller = try caller(request, form: form, allowAdminKey: allowAdminKey)
            context.attribution.attribute(to: String(caller.user.id))
            return try body(caller, form)
        } catch let error as KapiError {
            return KakaoResponses.kapi(error)
        } catch let error as FormParameters.Failure {
            return KakaoResponses.kapi(.invalidParameter(RequestForm.describe(error)))
        } catch {
            return KakaoResponses.kapi(.internalError)
        }
    }

    private func caller(_ request: Request, form: FormParameters, allowAdminKey: Bool) throws -> Caller {
        switch Credential(header: request.headers[.authorization]) {
        case .bearer(let token):
            guard token.utf8.count <= 1024 else { throw KapiError.invalidParameter("too long for access token.") }
            let now = core.now
            let resolved = core.state.withLock { $0.resolve(accessToken: token, now: now) }
            switch resolved {
            case .success(let (record, user, link)):
                guard let app = core.configuration.apps.first(where: { $0.appID == record.appID }) else {
                    throw KapiError.tokenDoesNotExist
                }
                return Caller(app: app, user: user, link: link, token: record)
            case .failure(.tokenExpired): throw KapiError.tokenExpired
            case .failure: throw KapiError.tokenDoesNotExist
            }
        case .adminKey(let key) where allowAdminKey:
            guard let app = core.appsByAdminKey[key] else { throw KapiError.invalidAppKey }
            guard try form.single("target_id_type") == "user_id", let target = try form.single("target_id").flatMap({ Int64($0) })
            else { throw KapiError.invalidParameter("target_id_type=user_id and a numeric target_id are required") }
            let found = core.state.withLock { state in state.link(appID: app.appID, userID: target).map { ($0, state.users.user(target)) } }
            guard let (link, user) = found else { throw KapiError.notLinked }
            return Caller(app: app, user: user, link: link, token: nil)
        case .adminKey, nil:
            throw KapiError.noAuthenticationKey
        }
    }
}
