import EmulatorSupport
import Foundation
import Hummingbird
import Synchronization

/// The browser side of Kakao Login: `GET /oauth/authorize` (error pages, or the consent page),
/// `POST /oauth/authorize/consent` (the consent form), which redirect to the app with a code and
/// `state`, or with `error=access_denied`; and `GET /oauth/logout` (the Kakao account logout).
struct AuthorizeRoutes {
    let core: EmulatorCore

    /// The cookie that stands for a Kakao account session (for `prompt=none`).
    static let sessionCookie = "kakao_emulator_session"

    func authorize(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard case .success(let form) = await RequestForm.read(request, includeBody: false) else {
            return errorPage(code: "KOE001", message: "The request parameters are malformed.")
        }
        let validated: AuthorizationRequest
        switch validate(form) {
        case .success(let request): validated = request
        case .failure(let failure): return errorPage(code: failure.code, message: failure.message)
        }
        if validated.prompt.contains("none") {
            return silentAuthorization(validated, sessionUserID: sessionUserID(request))
        }
        let rawScope = (try? form.single("scope")) ?? nil
        return KakaoResponses.html(
            ConsentPage(
                request: validated,
                rawScope: rawScope,
                users: core.configuration.users,
                signedIn: additionalConsent(validated, sessionUserID: sessionUserID(request))
            ).html
        )
    }

    /// Kakao's additional consent: when `scope` names items and the session's account already
    /// agreed to some of this app's items, the page is that account's, and asks only for the
    /// items it has not agreed to yet. Nil otherwise (the account chooser and every item asked).
    private func additionalConsent(_ request: AuthorizationRequest, sessionUserID: Int64?) -> ConsentPage.SignedIn? {
        guard request.namesItems, let sessionUserID else { return nil }
        return core.state.withLock { state in
            state.link(appID: request.app.appID, userID: sessionUserID).map { link in
                ConsentPage.SignedIn(user: state.users.user(sessionUserID), granted: link.scopes)
            }
        }
    }

    func consent(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard case .success(let form) = await RequestForm.read(request, includeBody: true) else {
            return errorPage(code: "KOE001", message: "The consent form is malformed.")
        }
        let validated: AuthorizationRequest
        switch validate(form) {
        case .success(let request): validated = request
        case .failure(let failure): return errorPage(code: failure.code, message: failure.message)
        }
        guard (try? form.single("action")) == "agree" else {
            return KakaoResponses.redirect(
                to: QueryComponent.append(
                    [("error", "access_denied"), ("error_description", "User denied access"), ("state", validated.state)],
                    to: validated.redirectURI
                )
            )
        }
        guard let userID = ((try? form.single("user_id")) ?? nil).flatMap({ Int64($0) }) else {
            return errorPage(code: "KOE001", message: "Choose an account.")
        }
        let agreed = Set(form.values("consent"))
        let granted = Set(validated.requestedItems.filter { $0.required || agreed.contains($0.id) }.map(\.id))
        let code = core.issueCode(for: validated, userID: userID, grantedItems: granted)
        return KakaoResponses.redirect(
            to: QueryComponent.append([("code", code), ("state", validated.state)], to: validated.redirectURI),
            setCookie: "\(Self.sessionCookie)=\(userID); Path=/; HttpOnly; SameSite=Lax"
        )
    }

    /// `GET /oauth/logout`: ends the emulated Kakao account session and redirects to
    /// `logout_redirect_uri` (one of the app's registered redirect URIs, else KOE007) with `state`.
    func logout(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard case .success(let form) = await RequestForm.read(request, includeBody: false),
            let clientID = try? form.single("client_id"), let app = core.appsByClientID[clientID]
        else { return errorPage(code: "KOE101", message: "Invalid app key: the client_id is not a registered REST API key.") }
        guard let target = (try? form.single("logout_redirect_uri")) ?? nil, app.redirectURIs.contains(target) else {
            return errorPage(code: "KOE007", message: "The logout_redirect_uri is not registered for this app.")
        }
        return KakaoResponses.redirect(
            to: QueryComponent.append([("state", (try? form.single("state")) ?? nil)], to: target),
            setCookie: "\(Self.sessionCookie)=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        )
    }

    private func validate(_ form: FormParameters) -> Result<AuthorizationRequest, AuthorizationRequest.Failure> {
        do {
            return AuthorizationRequest.validate(
                clientID: try form.single("client_id"),
                redirectURI: try form.single("redirect_uri"),
                responseType: .some(try form.single("response_type")),
                scope: try form.single("scope"),
                state: try form.single("state"),
                nonce: try form.single("nonce"),
                codeChallenge: try form.single("code_challenge"),
                codeChallengeMethod: try form.single("code_challenge_method"),
                prompt: try form.single("prompt"),
                apps: core.appsByClientID
            )
        } catch {
            return .failure(.init(code: "KOE001", message: "A parameter is given more than once."))
        }
    }

    /// `prompt=none`: a code at once when the session's user already agreed to everything asked,
    /// else `login_required` (no session) or `consent_required`.
    private func silentAuthorization(_ request: AuthorizationRequest, sessionUserID: Int64?) -> Response {
        func fail(_ error: String) -> Response {
            KakaoResponses.redirect(to: QueryComponent.append([("error", error), ("state", request.state)], to: request.redirectURI))
        }
        guard let userID = sessionUserID else { return fail("login_required") }
        let scopes = core.state.withLock { $0.link(appID: request.app.appID, userID: userID)?.scopes }
        guard let scopes, request.requestedItems.allSatisfy({ scopes.contains($0.id) }) else { return fail("consent_required") }
        let code = core.issueCode(for: request, userID: userID, grantedItems: [])
        return KakaoResponses.redirect(to: QueryComponent.append([("code", code), ("state", request.state)], to: request.redirectURI))
    }

    private func sessionUserID(_ request: Request) -> Int64? {
        CookieHeader.value(Self.sessionCookie, in: request).flatMap { Int64($0) }
    }

    /// Kakao's own error page: not a redirect, the KOE code on screen.
    private func errorPage(code: String, message: String) -> Response {
        KakaoResponses.html(
            """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Kakao Login error (\(code))</title></head>
            <body><h1>Admin Settings Issue (\(code))</h1><p id="error-code">\(code)</p><p>\(HTMLText.escape(message))</p></body></html>
            """,
            status: core.configuration.authorizeErrorStatus
        )
    }
}
