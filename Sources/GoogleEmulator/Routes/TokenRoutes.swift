import Base64Coding
import EmulatorSupport
import Hummingbird
import Logging
import Synchronization

/// `POST /token` (and `/o/oauth2/token`, `/oauth2/v4/token`): the `authorization_code` and
/// `refresh_token` grants, with Google's errors, bodies and headers.
struct TokenRoutes {
    let core: GoogleCore

    func token(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        let form: FormParameters
        switch await GoogleForm.read(request, includeBody: true) {
        case .success(let parameters): form = parameters
        case .failure(let failure): return failure.response
        }
        do {
            let grantType = try form.single("grant_type")
            guard grantType == "authorization_code" || grantType == "refresh_token" else {
                return GoogleResponses.oauth(.unsupportedGrantType(grantType))
            }
            let client = try ClientAuthentication(clients: core.clientsByID).authenticate(request, form: form)
            if grantType == "authorization_code" {
                core.counters.bump(\.tokenRequestsAuthorizationCode)
                return try exchange(form, client: client, attribution: context.attribution)
            }
            core.counters.bump(\.tokenRequestsRefreshToken)
            return try refresh(form, client: client, attribution: context.attribution)
        } catch let error as OAuthError {
            return GoogleResponses.oauth(error)
        } catch let error as FormParameters.Failure {
            return GoogleForm.answer(error)
        } catch {
            context.logger.error("ID token signing failed", metadata: ["emulator.error_type": "\(type(of: error))"])
            return GoogleResponses.oauth(.internalFailure)
        }
    }

    /// A code is `4/` and base64url characters, at most 256 bytes; anything else (a code
    /// URL-encoded twice, quoted, cut short) is "Malformed auth code.".
    static func isWellFormedCode(_ code: String) -> Bool {
        code.utf8.count <= 256 && code.hasPrefix("4/") && code.utf8.count > 2
            && code.utf8.dropFirst(2).allSatisfy(Base64URL.isAlphabet(byte:))
    }

    private func exchange(
        _ form: FormParameters,
        client: GoogleEmulatorConfiguration.Client,
        attribution: RequestAttribution
    ) throws -> Response {
        guard let code = try form.single("code"), !code.isEmpty else { throw OAuthError.invalidRequest("Missing required parameter: code") }
        guard let redirectURI = try form.single("redirect_uri"), !redirectURI.isEmpty else {
            throw OAuthError.invalidRequest("Missing parameter: redirect_uri")
        }
        let verifier = try form.single("code_verifier")
        guard Self.isWellFormedCode(code) else {
            core.counters.bump(\.codesRejected)
            throw OAuthError.invalidGrant("Malformed auth code.")
        }
        let accessToken = "ya29." + OpaqueTokenGenerator.make(length: 180)
        let refreshToken = "1//0" + OpaqueTokenGenerator.make(length: 100)
        let now = core.now
        let (result, presentations, sub) = core.state.withLock {
            $0.exchange(
                code: code,
                clientID: client.clientID,
                redirectURI: redirectURI,
                codeVerifier: verifier,
                newAccessToken: accessToken,
                newRefreshToken: refreshToken,
                now: now
            )
        }
        if let sub { attribution.attribute(to: sub) }
        core.counters.recordPresentation(presentations)
        switch result {
        case .success(let grant):
            if grant.refreshToken != nil { core.googleCounters.bump(\.refreshTokensIssued) }
            return try answer(grant, now: now)
        case .failure(let failure):
            core.counters.bump(\.codesRejected)
            throw failure.oauthError
        }
    }

    private func refresh(
        _ form: FormParameters,
        client: GoogleEmulatorConfiguration.Client,
        attribution: RequestAttribution
    ) throws -> Response {
        guard let presented = try form.single("refresh_token"), !presented.isEmpty else {
            throw OAuthError.invalidRequest("Missing required parameter: refresh_token")
        }
        let accessToken = "ya29." + OpaqueTokenGenerator.make(length: 180)
        let now = core.now
        let result = core.state.withLock {
            $0.refresh(refreshToken: presented, clientID: client.clientID, newAccessToken: accessToken, now: now)
        }
        let grant = try result.get()
        attribution.attribute(to: grant.user.sub)
        return try answer(grant, now: now)
    }

    /// The success body, pretty-printed: `access_token`, `expires_in` (one second short),
    /// `refresh_token` when issued, `scope` (full names), `token_type`, `id_token` with `openid`.
    private func answer(_ grant: TokenGrant, now: Double) throws -> Response {
        core.counters.bump(\.tokensIssued)
        let configuration = core.configuration
        var object = JSONObjectWriter(pretty: true)
        object.add("access_token", grant.accessToken)
        object.add("expires_in", configuration.accessTokenLifetimeSeconds - 1)
        object.add("refresh_token", ifPresent: grant.refreshToken)
        object.add("scope", GoogleScopes.tokenScope(grant.scopes))
        object.add("token_type", "Bearer")
        if grant.scopes.contains("openid") {
            let claims = IDTokenClaims(
                issuer: core.idTokenIssuer,
                grant: grant,
                issuedAt: Int64(now),
                lifetimeSeconds: configuration.idTokenLifetimeSeconds,
                localeClaim: configuration.uncertain.localeClaim
            )
            object.add("id_token", try core.keys.sign(payloadJSON: claims.json))
            core.counters.bump(\.idTokensSigned)
        }
        return GoogleResponses.json(object.finish(), headers: GoogleResponses.noCache)
    }
}
