import EmulatorSupport

/// A validated authorization request (`/o/oauth2/v2/auth`, the approval form, and
/// `/_emulator/codes`): the client, its registered redirect URI, the scopes, and what the code
/// will be bound to.
struct AuthorizationRequest: Sendable {
    /// The raw parameters, as the three callers read them.
    struct Parameters: Sendable {
        var clientID: String?
        var redirectURI: String?
        /// `.none` when the caller has no `response_type` (`/_emulator/codes`).
        var responseType: String??
        var scope: String?
        var state: String?
        var nonce: String?
        var codeChallenge: String?
        var codeChallengeMethod: String?
        var accessType: String?
        var prompt: String?
        var includeGrantedScopes: String?
        var loginHint: String?
        var hd: String?

        /// Reads the parameters of a query or form; a parameter given twice is an error.
        init(form: FormParameters) throws(FormParameters.Failure) {
            clientID = try form.single("client_id")
            redirectURI = try form.single("redirect_uri")
            responseType = .some(try form.single("response_type"))
            scope = try form.single("scope")
            state = try form.single("state")
            nonce = try form.single("nonce")
            codeChallenge = try form.single("code_challenge")
            codeChallengeMethod = try form.single("code_challenge_method")
            accessType = try form.single("access_type")
            prompt = try form.single("prompt")
            includeGrantedScopes = try form.single("include_granted_scopes")
            loginHint = try form.single("login_hint")
            hd = try form.single("hd")
        }

        init(clientID: String?, redirectURI: String?) {
            self.clientID = clientID
            self.redirectURI = redirectURI
            responseType = .none
        }

        /// The hidden fields of the approval form: everything asked, as asked.
        var formFields: [(String, String?)] {
            [
                ("client_id", clientID), ("redirect_uri", redirectURI), ("response_type", responseType ?? nil), ("scope", scope),
                ("state", state), ("nonce", nonce), ("code_challenge", codeChallenge), ("code_challenge_method", codeChallengeMethod),
                ("access_type", accessType), ("prompt", prompt), ("include_granted_scopes", includeGrantedScopes),
                ("login_hint", loginHint), ("hd", hd),
            ]
        }
    }

    /// `prompt` values.
    enum Prompt: String, Sendable {
        case none
        case consent
        case selectAccount = "select_account"
    }

    /// An authorize-step error: Google shows it on its own page (never a redirect), as
    /// `Error <status>: <error>` with a message; `/_emulator/codes` answers it as JSON.
    struct Failure: Error {
        let status: Int
        let error: String
        let message: String

        static func invalidRequest(_ message: String) -> Self { Self(status: 400, error: "invalid_request", message: message) }
    }

    let parameters: Parameters
    let client: GoogleEmulatorConfiguration.Client
    let redirectURI: String
    /// The scopes as asked.
    let askedScopes: [String]
    /// Their full names (``GoogleScopes``).
    let scopes: Set<String>
    let codeChallenge: String?
    let challengeMethod: PKCE.Method
    let offline: Bool
    let includeGrantedScopes: Bool
    let prompt: Set<Prompt>

    var state: String? { parameters.state }
    var nonce: String? { parameters.nonce }
    var loginHint: String? { parameters.loginHint }
    var hd: String? { parameters.hd }

    /// Checks in Google's order: client (missing 400, unknown 401), redirect URI (missing, not
    /// registered), response type, scope, prompt, PKCE, access type.
    static func validate(
        _ parameters: Parameters,
        clients: [String: GoogleEmulatorConfiguration.Client]
    ) -> Result<AuthorizationRequest, Failure> {
        guard let clientID = parameters.clientID, !clientID.isEmpty else {
            return .failure(.invalidRequest("Missing required parameter: client_id"))
        }
        guard let client = clients[clientID] else {
            return .failure(Failure(status: 401, error: "invalid_client", message: "The OAuth client was not found."))
        }
        guard let redirectURI = parameters.redirectURI, !redirectURI.isEmpty else {
            return .failure(.invalidRequest("Missing required parameter: redirect_uri"))
        }
        guard client.redirectURIs.contains(redirectURI) else {
            return .failure(
                Failure(
                    status: 400,
                    error: "redirect_uri_mismatch",
                    message: "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy."
                )
            )
        }
        if case .some(let responseType) = parameters.responseType {
            guard let responseType, !responseType.isEmpty else {
                return .failure(.invalidRequest("Required parameter is missing: response_type"))
            }
            guard responseType == "code" else {
                return .failure(.invalidRequest("Invalid response_type: \(responseType) (the emulator serves the code flow)"))
            }
        }
        let asked = (parameters.scope ?? "").split(separator: " ").map(String.init)
        guard !asked.isEmpty else { return .failure(.invalidRequest("Missing required parameter: scope")) }
        let invalid = asked.filter { GoogleScopes.normalized($0) == nil }
        guard invalid.isEmpty else {
            return .failure(
                Failure(
                    status: 400,
                    error: "invalid_scope",
                    message: "Some requested scopes were invalid. {invalid=[\(invalid.joined(separator: ", "))]}"
                )
            )
        }
        var prompt = Set<Prompt>()
        for value in (parameters.prompt ?? "").split(separator: " ") {
            guard let known = Prompt(rawValue: String(value)) else {
                return .failure(.invalidRequest("Invalid parameter value for prompt: Invalid prompt: \(value)"))
            }
            prompt.insert(known)
        }
        guard !prompt.contains(.none) || prompt.count == 1 else {
            return .failure(.invalidRequest("Invalid parameter value for prompt: none cannot be combined with other values"))
        }
        var method = PKCE.Method.plain
        if let challenge = parameters.codeChallenge {
            if let name = parameters.codeChallengeMethod {
                guard let known = PKCE.Method(rawValue: name) else {
                    return .failure(.invalidRequest("Invalid code_challenge_method value."))
                }
                method = known
            }
            guard PKCE.isWellFormed(challenge) else { return .failure(.invalidRequest("Invalid code_challenge value.")) }
        }
        guard ["online", "offline", nil].contains(parameters.accessType) else {
            return .failure(.invalidRequest("Invalid access_type: \(parameters.accessType ?? "")"))
        }
        return .success(
            AuthorizationRequest(
                parameters: parameters,
                client: client,
                redirectURI: redirectURI,
                askedScopes: asked,
                scopes: Set(asked.compactMap(GoogleScopes.normalized)),
                codeChallenge: parameters.codeChallenge,
                challengeMethod: method,
                offline: parameters.accessType == "offline",
                includeGrantedScopes: parameters.includeGrantedScopes == "true",
                prompt: prompt
            )
        )
    }
}
