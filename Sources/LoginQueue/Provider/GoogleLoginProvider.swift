import Accounts
import GoogleAPI

/// Sign in with Google behind the ``LoginProvider`` seam: the authorize URL (from discovery),
/// the code exchange with PKCE and the client secret, and the id_token check (RS256 against
/// Google's JWKS, `iss`, `aud`, `azp`, `exp`, the attempt's `nonce`). Without an id_token (the
/// stateless flow, whose frontend built its own URL) the profile comes from userinfo. Google's
/// errors become the queue's in `GoogleLoginProvider+Errors.swift`.
public struct GoogleLoginProvider: LoginProvider {
    /// `google`, or `google_emulator` for the emulator (its made-up identities must never be
    /// mistaken for real Google accounts).
    public let name: String
    public var exhaustedRetryCodes: ExhaustedRetryCodes { Self.exhaustedRetries }
    static let exhaustedRetries = ExhaustedRetryCodes(unavailable: .googleUnavailable, rateLimited: .googleRateLimited)
    let client: GoogleClient
    /// Scopes to request; `openid` makes Google issue the id_token that is then required.
    let scopes: [String]

    public init(client: GoogleClient, scopes: [String] = ["openid", "email", "profile"], name: String = "google") {
        self.client = client
        self.scopes = scopes
        self.name = name
    }

    /// Google's sign-in asks for `openid email profile`, everything a login needs; its other
    /// scopes are APIs' (full URLs, granted with `include_granted_scopes`), not profile items a
    /// login stores, so `"scope"` of start is refused for Google.
    public var allowsAdditionalScopes: Bool { false }

    public func authorizationURL(
        redirectURI: String,
        state: String,
        codeChallenge: String,
        nonce: String,
        additionalScopes: [String]
    ) async throws -> String {
        do {
            return try await client.authorizationURL(
                redirectURI: redirectURI,
                state: state,
                codeChallenge: codeChallenge,
                nonce: nonce,
                scopes: scopes,
                accessType: "offline"
            )
        } catch {
            throw try Self.providerError(error)
        }
    }

    public func exchange(code: String, redirectURI: String, codeVerifier: String?) async throws -> ProviderTokens {
        do {
            let tokens = try await client.exchangeCode(code, redirectURI: redirectURI, codeVerifier: codeVerifier)
            return ProviderTokens(accessToken: tokens.accessToken, idToken: tokens.idToken, refreshToken: tokens.refreshToken)
        } catch {
            throw try Self.providerError(error)
        }
    }

    /// The refresh token when Google issued one (it does on the first consent with
    /// `access_type=offline`): revoking it ends the whole grant. Else the access token, which
    /// revokes the grant too while it lives (an hour).
    public func disconnectToken(from tokens: ProviderTokens) -> String? { tokens.refreshToken ?? tokens.accessToken }

    /// Revokes the grant with the stored token; a token Google no longer knows (`invalid_token`)
    /// is already revoked. Without a token there is nothing Google would accept.
    public func disconnect(subject: String, token: String?) async throws {
        guard let token else { return }
        do {
            try await client.revoke(token: token)
        } catch {
            throw try Self.providerError(error)
        }
    }

    public func profile(tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        do {
            guard let idToken = tokens.idToken else {
                if nonce != nil, scopes.contains("openid") {
                    // We asked for openid with a nonce: a missing id_token is a downgrade.
                    throw LoginProviderError(
                        retryClass: .terminal,
                        delivery: .responded,
                        failureCode: .idTokenInvalid,
                        providerError: "id_token_missing"
                    )
                }
                let user = try await client.userInfo(accessToken: tokens.accessToken)
                return profile(
                    subject: user.subject,
                    name: user.name,
                    picture: user.picture,
                    email: user.email,
                    verified: user.emailVerified
                )
            }
            let claims = try await client.verifyIDToken(idToken, nonce: nonce)
            return profile(
                subject: claims.subject,
                name: claims.name,
                picture: claims.picture,
                email: claims.email,
                verified: claims.emailVerified
            )
        } catch let error as GoogleAPIError {
            throw try Self.providerError(error)
        }
    }

    /// The provider-neutral profile. An email counts as verified only with Google's
    /// `email_verified`; identities are never matched by it.
    private func profile(subject: String, name: String?, picture: String?, email: String?, verified: Bool) -> ProviderProfile {
        ProviderProfile(
            provider: self.name,
            subject: subject,
            nickname: name,
            profileImageURL: picture,
            thumbnailImageURL: nil,
            email: email,
            emailVerified: email != nil && verified
        )
    }
}
