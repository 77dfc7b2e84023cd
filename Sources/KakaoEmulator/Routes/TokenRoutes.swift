import EmulatorSupport
import Foundation
import Hummingbird
import Logging
import Synchronization

/// `POST /oauth/token` (grants `authorization_code` and `refresh_token`) and `POST /oauth/tokeninfo`.
struct TokenRoutes {
    let core: EmulatorCore

    func token(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        let form: FormParameters
        switch await RequestForm.read(request, includeBody: true) {
        case .success(let parameters): form = parameters
        case .failure(.tooLarge): return KakaoResponses.kauth(.badRequest("request body too large", status: 413))
        case .failure(.malformed(let reason)): return KakaoResponses.kauth(.badRequest(reason))
        }
        do {
            let grantType = try form.single("grant_type")
            switch grantType {
            case "authorization_code":
                core.counters.bump(\.tokenRequestsAuthorizationCode)
                return try exchange(form, attribution: context.attribution)
            case "refresh_token":
                core.counters.bump(\.tokenRequestsRefreshToken)
                return try refresh(form, attribution: context.attribution)
            default:
                return KakaoResponses.kauth(.unsupportedGrantType(grantType))
            }
        } catch let error as KauthError {
            return KakaoResponses.kauth(error)
        } catch let error as FormParameters.Failure {
            return KakaoResponses.kauth(.badRequest(RequestForm.describe(error)))
        } catch {
            context.logger.error("ID token signing failed", metadata: ["emulator.error_type": "\(type(of: error))"])
            return KakaoResponses.kauth(.serverError)
        }
    }

    /// KOE101 for an unknown `client_id`, KOE010 for a missing or wrong secret (when on).
    private func authenticateClient(_ form: FormParameters) throws -> KakaoEmulatorConfiguration.App {
        let clientID = try form.single("client_id")
        guard let clientID, let app = core.appsByClientID[clientID] else { throw KauthError.unknownClient(clientID ?? "") }
        if let secret = app.clientSecret, try form.single("client_secret") != secret {
            throw KauthError.badClientCredentials
        }
        return app
    }

    private func exchange(_ form: FormParameters, attribution: RequestAttribution) throws -> Response {
        let app = try authenticateClient(form)
        let code = try form.single("code") ?? ""
        let redirectURI = try form.single("redirect_uri")
        let verifier = try form.single("code_verifier")
        let accessToken = OpaqueTokenGenerator.make(length: 54)
        let refreshToken = OpaqueTokenGenerator.make(length: 54)
        let now = core.now
        let (result, presentations, userID) = core.state.withLock {
            $0.exchange(
                code: code,
                clientID: app.restAPIKey,
                redirectURI: redirectURI,
                codeVerifier: verifier,
                newAccessToken: accessToken,
                newRefreshToken: refreshToken,
                now: now
            )
        }
        if let userID { attribution.attribute(to: String(userID)) }
        core.counters.recordPresentation(presentations)
        switch result {
        case .success(let grant):
            return KakaoResponses.json(
                try core.tokenAnswer(grant, audience: app.restAPIKey, now: now, withIDToken: grant.openid),
                noStore: true
            )
        case .failure(let failure):
            if case .invalidCode = failure { core.counters.bump(\.codesRejected) }
            return KakaoResponses.kauth(kauthError(failure, code: code))
        }
    }

    private func refresh(_ form: FormParameters, attribution: RequestAttribution) throws -> Response {
        let app = try authenticateClient(form)
        guard let presented = try form.single("refresh_token"), !presented.isEmpty else {
            return KakaoResponses.kauth(.missingRefreshToken)
        }
        let accessToken = OpaqueTokenGenerator.make(length: 54)
        let refreshToken = OpaqueTokenGenerator.make(length: 54)
        let now = core.now
        let result = core.state.withLock {
            $0.refresh(refreshToken: presented, appID: app.appID, newAccessToken: accessToken, newRefreshToken: refreshToken, now: now)
        }
        switch result {
        case .success(let grant):
            attribution.attribute(to: String(grant.user.id))
            if grant.refreshToken != nil { core.kakaoCounters.bump(\.refreshRotations) }
            return KakaoResponses.json(
                try core.tokenAnswer(
                    grant,
                    audience: app.restAPIKey,
                    now: now,
                    withIDToken: grant.openid && core.configuration.idTokenOnRefresh
                ),
                noStore: true
            )
        case .failure(let failure):
            return KakaoResponses.kauth(kauthError(failure, code: ""))
        }
    }

    private func kauthError(_ failure: TokenFailure, code: String) -> KauthError {
        switch failure {
        case .invalidCode: return .invalidCode(code)
        case .redirectURIMismatch: return .redirectURIMismatch
        case .appMismatch: return .appMismatch
        case .invalidRefreshToken: return .invalidRefreshToken
        case .rateLimited:
            core.kakaoCounters.bump(\.rateLimited)
            return .rateLimited(status: core.configuration.rateLimit.status)
        }
    }

    /// Kakao's debugging check of an ID token: KOE400 malformed, KOE401 other issuer,
    /// KOE402 bad signature, KOE403 expired; else the payload claims.
    func tokenInfo(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard case .success(let form) = await RequestForm.read(request, includeBody: true),
            let token = try? form.single("id_token"), token.split(separator: ".", omittingEmptySubsequences: false).count == 3
        else { return KakaoResponses.kauth(.invalidToken("KOE400", "id_token is missing or malformed")) }
        guard let payload = core.signer.verified(token)?.payload else {
            return KakaoResponses.kauth(.invalidToken("KOE402", "invalid signature"))
        }
        guard let claims = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
            return KakaoResponses.kauth(.invalidToken("KOE400", "id_token payload is malformed"))
        }
        guard claims["iss"] as? String == core.issuer else {
            return KakaoResponses.kauth(.invalidToken("KOE401", "issuer mismatch"))
        }
        guard let expiry = claims["exp"] as? Int, Double(expiry) > core.now else {
            return KakaoResponses.kauth(.invalidToken("KOE403", "id_token expired"))
        }
        return KakaoResponses.json(String(decoding: payload, as: UTF8.self))
    }
}
