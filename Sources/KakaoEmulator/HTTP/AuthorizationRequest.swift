import EmulatorSupport
import Foundation

/// A validated `/oauth/authorize` request (also what `/_emulator/codes` and the consent form
/// carry): the app, its registered redirect URI, the consent items asked for, and the PKCE,
/// nonce and state values bound to the code.
struct AuthorizationRequest {
    let app: KakaoEmulatorConfiguration.App
    let redirectURI: String
    /// Consent items asked for, in the app's order (`openid` apart); all of the app's when
    /// `scope` names none.
    let requestedItems: [KakaoEmulatorConfiguration.ConsentItem]
    /// `scope` named consent items (not only `openid`): an additional-consent request when the
    /// user already agreed to some.
    let namesItems: Bool
    let openid: Bool
    let state: String?
    let nonce: String?
    let codeChallenge: String?
    let prompt: Set<String>

    /// An authorize-step error: Kakao shows a page with the KOE code, it does not redirect.
    struct Failure: Error {
        let code: String
        let message: String
    }

    /// Checks the parameters in Kakao's order: app key (KOE101), redirect URI (KOE006),
    /// response type (KOE201/KOE202), scope (KOE205), PKCE method (KOE001).
    /// - Parameter responseType: nil for `/_emulator/codes`, which has none.
    static func validate(
        clientID: String?,
        redirectURI: String?,
        responseType: String??,
        scope: String?,
        state: String?,
        nonce: String?,
        codeChallenge: String?,
        codeChallengeMethod: String?,
        prompt: String?,
        apps: [String: KakaoEmulatorConfiguration.App]
    ) -> Result<AuthorizationRequest, Failure> {
        guard let clientID, let app = apps[clientID] else {
            return .failure(Failure(code: "KOE101", message: "Invalid app key: the client_id is not a registered REST API key."))
        }
        guard let redirectURI, app.redirectURIs.contains(redirectURI) else {
            return .failure(Failure(code: "KOE006", message: "The redirect_uri is not registered for this app."))
        }
        if case .some(let responseType) = responseType, responseType != "code" {
            return .failure(
                responseType == "token"
                    ? Failure(code: "KOE202", message: "Implicit grant (response_type=token) is not supported.")
                    : Failure(code: "KOE201", message: "Unsupported response_type: only code is supported.")
            )
        }
        let asked = (scope ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        let configured = Set(app.consentItems.map(\.id))
        for item in asked where item != "openid" && !configured.contains(item) || item == "openid" && !app.oidc {
            return .failure(Failure(code: "KOE205", message: "A requested consent item is not configured for this app."))
        }
        let requested = asked.filter { $0 != "openid" }
        if let codeChallenge {
            guard codeChallengeMethod == "S256" else {
                return .failure(Failure(code: "KOE001", message: "code_challenge_method must be S256."))
            }
            guard PKCE.isWellFormed(codeChallenge) else {
                return .failure(Failure(code: "KOE001", message: "code_challenge is not a base64url S256 challenge."))
            }
        }
        return .success(
            AuthorizationRequest(
                app: app,
                redirectURI: redirectURI,
                requestedItems: requested.isEmpty ? app.consentItems : app.consentItems.filter { requested.contains($0.id) },
                namesItems: !requested.isEmpty,
                openid: asked.contains("openid"),
                state: state,
                nonce: nonce,
                codeChallenge: codeChallenge,
                prompt: Set((prompt ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            )
        )
    }
}
