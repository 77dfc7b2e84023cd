import Accounts
import KakaoAPI

/// Who the user is: user/me and the id_token check, for a code login's tokens and for a native
/// app's (which are first checked to be this app's).
extension KakaoLoginProvider {
    public func profile(tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        do {
            return try await verifiedProfile(tokens, nonce: nonce)
        } catch let error as KakaoAPIError {
            throw try Self.providerError(error)
        }
    }

    /// A native app's tokens: `/v1/user/access_token_info` must name this app (``appID``) before
    /// user/me is trusted — a token another app got for the same user would otherwise sign them
    /// in here (token substitution). Then as ``profile(tokens:nonce:)``, where an id_token's `aud`
    /// must be one of this app's keys and its `nonce` the posted one. Kakao's -401 here means
    /// the posted token is invalid, expired or revoked: `kakao_token_invalid`.
    public func profile(ofAppTokens tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        guard let appID else {
            throw LoginProviderError(retryClass: .terminal, delivery: .notSent, failureCode: .kakaoClientMisconfigured, providerError: nil)
        }
        do {
            let info = try await client.accessTokenInfo(accessToken: tokens.accessToken)
            guard info.appID == appID else {
                throw LoginProviderError(
                    retryClass: .terminal,
                    delivery: .responded,
                    failureCode: .tokenNotForThisApp,
                    providerError: "app_id"
                )
            }
            return try await verifiedProfile(tokens, nonce: nonce)
        } catch let error as KakaoAPIError {
            throw try Self.appTokenError(error)
        }
    }

    /// user/me, and the id_token when there is one: signature, `iss`, `aud`, `exp`, `nonce`, and
    /// `sub` equal to user/me's `id`.
    private func verifiedProfile(_ tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        let user = try await client.userMe(accessToken: tokens.accessToken)
        if tokens.idToken == nil, nonce != nil, scopes.contains("openid") {
            // We built the authorize URL with openid and a nonce (or the app posted its nonce):
            // no id_token is a downgrade. (The stateless flow's frontend has no nonce.)
            throw LoginProviderError(
                retryClass: .terminal,
                delivery: .responded,
                failureCode: .idTokenInvalid,
                providerError: "id_token_missing"
            )
        }
        if let idToken = tokens.idToken {
            let claims = try await client.verifyIDToken(idToken, nonce: nonce)
            guard claims.subject == String(user.id) else {
                throw LoginProviderError(
                    retryClass: .terminal,
                    delivery: .responded,
                    failureCode: .idTokenInvalid,
                    providerError: "id_token_sub"
                )
            }
        }
        return ProviderProfile(
            provider: name,
            subject: String(user.id),
            nickname: user.nickname,
            profileImageURL: user.profileImageURL,
            thumbnailImageURL: user.thumbnailImageURL,
            email: user.email,
            emailVerified: user.emailVerified,
            consentScopes: tokens.scopes
        )
    }
}
