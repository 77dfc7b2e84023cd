import EmulatorSupport
import Foundation
import Hummingbird
import Synchronization

/// The browser side of Sign in with Google: `GET /o/oauth2/v2/auth` (and `/o/oauth2/auth`)
/// answers an error page, a silent redirect, or the account chooser; `POST
/// /o/oauth2/v2/auth/approve` (the chooser's form) redirects with a code or `access_denied`.
struct AuthorizeRoutes {
    let core: GoogleCore

    /// The cookie that stands for a signed-in Google session (silent sign-in, `prompt=none`).
    static let sessionCookie = "google_emulator_session"

    func authorize(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        let validated: AuthorizationRequest
        switch await read(request, includeBody: false) {
        case .success(let value): validated = value
        case .failure(let failure): return errorPage(failure)
        }
        let session = sessionUser(request)
        if validated.prompt.contains(.none) {
            return silent(validated, session: session)
        }
        let hinted = validated.loginHint.flatMap { hint in core.state.withLock { $0.user(matching: hint) } }
        if validated.prompt.isEmpty, let session, hinted == nil || hinted?.sub == session.sub,
            !core.needsConsent(validated, sub: session.sub)
        {
            return success(validated, user: session, consentShown: false)
        }
        return GoogleResponses.html(AccountChooserPage(request: validated, users: core.configuration.users, hinted: hinted ?? session).html)
    }

    func approve(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard case .success(let form) = await RequestForm.read(request, includeBody: true) else {
            return errorPage(.invalidRequest("The form is malformed."))
        }
        let validated: AuthorizationRequest
        switch validate(form) {
        case .success(let value): validated = value
        case .failure(let failure): return errorPage(failure)
        }
        guard (try? form.single("action")) == "allow" else {
            return redirect(validated, [("error", "access_denied"), ("state", validated.state)])
        }
        let other = ((try? form.single("other_account")) ?? nil).map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let sub = other.isEmpty ? ((try? form.single("account")) ?? nil) : other
        guard let sub, GoogleEmulatorConfiguration.User.isValidSub(sub) else {
            return errorPage(.invalidRequest("Choose an account."))
        }
        let user = core.state.withLock { $0.users.user(sub) }
        let consentShown = validated.prompt.contains(.consent) || core.needsConsent(validated, sub: sub)
        return success(validated, user: user, consentShown: consentShown)
    }

    // MARK: answers

    /// `prompt=none`: a code at once when the session's user already granted everything asked.
    private func silent(_ request: AuthorizationRequest, session: GoogleEmulatorConfiguration.User?) -> Response {
        let oidc = core.configuration.uncertain.promptNoneErrors == .oidc
        func fail(_ error: String) -> Response {
            let parameters: [(String, String?)] =
                oidc
                ? [("state", request.state), ("error", error)]
                : [("state", request.state), ("error_subtype", "access_denied"), ("error", "interaction_required")]
            return redirect(request, parameters)
        }
        guard let session else { return fail("login_required") }
        guard !core.needsConsent(request, sub: session.sub) else { return fail("consent_required") }
        return success(request, user: session, consentShown: false)
    }

    /// The code redirect, parameters in Google's order: `state`, `iss`, `code`, `scope`,
    /// `authuser`, `hd`, `prompt`; it also signs the browser in (the session cookie).
    private func success(_ request: AuthorizationRequest, user: GoogleEmulatorConfiguration.User, consentShown: Bool) -> Response {
        let (code, scopes) = core.issueCode(for: request, sub: user.sub, consentShown: consentShown)
        let iss = core.configuration.uncertain.authorizationResponseIss == .omitted ? nil : core.issuer
        let location = QueryComponent.append(
            [
                ("state", request.state), ("iss", iss), ("code", code),
                ("scope", GoogleScopes.redirectScope(asked: request.askedScopes, granted: scopes)), ("authuser", "0"), ("hd", user.hd),
                ("prompt", consentShown ? "consent" : "none"),
            ],
            to: request.redirectURI
        )
        return GoogleResponses.redirect(to: location, setCookie: "\(Self.sessionCookie)=\(user.sub); Path=/; HttpOnly; SameSite=Lax")
    }

    /// An error redirect (`access_denied`, a `prompt=none` failure).
    private func redirect(_ request: AuthorizationRequest, _ parameters: [(String, String?)]) -> Response {
        let withIss = core.configuration.uncertain.authorizationResponseIss == .always ? parameters + [("iss", core.issuer)] : parameters
        return GoogleResponses.redirect(to: QueryComponent.append(withIss, to: request.redirectURI))
    }

    /// Google's own error page: never a redirect.
    private func errorPage(_ failure: AuthorizationRequest.Failure) -> Response {
        GoogleResponses.html(
            """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error \(failure.status): \(failure.error)</title></head>
            <body><h1>Access blocked: This app's request is invalid</h1>
            <p id="error-code">Error \(failure.status): \(failure.error)</p><p>\(HTMLText.escape(failure.message))</p>
            <p>Request details: flowName=GeneralOAuthFlow</p></body></html>
            """,
            status: failure.status
        )
    }

    // MARK: reading

    private func read(_ request: Request, includeBody: Bool) async -> Result<AuthorizationRequest, AuthorizationRequest.Failure> {
        switch await RequestForm.read(request, includeBody: includeBody) {
        case .success(let form): validate(form)
        case .failure(.tooLarge): .failure(Failure(status: 413, error: "invalid_request", message: "The request is too large."))
        case .failure(.malformed(let reason)): .failure(.invalidRequest("Invalid request: \(reason)."))
        }
    }

    private typealias Failure = AuthorizationRequest.Failure

    private func validate(_ form: FormParameters) -> Result<AuthorizationRequest, AuthorizationRequest.Failure> {
        do {
            return AuthorizationRequest.validate(try AuthorizationRequest.Parameters(form: form), clients: core.clientsByID)
        } catch {
            return .failure(.invalidRequest("Invalid request: \(RequestForm.describe(error))."))
        }
    }

    private func sessionUser(_ request: Request) -> GoogleEmulatorConfiguration.User? {
        guard let sub = CookieHeader.value(Self.sessionCookie, in: request), GoogleEmulatorConfiguration.User.isValidSub(sub) else {
            return nil
        }
        return core.state.withLock { $0.users.user(sub) }
    }
}
