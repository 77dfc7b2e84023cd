import Accounts
import Foundation
import KakaoAPI

/// Login with Kakao behind the ``LoginProvider`` seam: the authorize URL, the code exchange,
/// user/me, and the id_token check (signature, `iss`, `aud`, `exp`, the attempt's `nonce`, and
/// `sub` equal to user/me's `id`), in `KakaoLoginProvider+Profile.swift` with a native app's
/// tokens (the app id check). Kakao's errors become the queue's in
/// `KakaoLoginProvider+Errors.swift`.
public struct KakaoLoginProvider: LoginProvider {
    /// `kakao`, or `kakao_emulator` for the emulator (its made-up identities must never be
    /// mistaken for real Kakao users).
    public let name: String
    public var exhaustedRetryCodes: ExhaustedRetryCodes { Self.exhaustedRetries }
    static let exhaustedRetries = ExhaustedRetryCodes(unavailable: .kakaoUnavailable, rateLimited: .kakaoRateLimited)
    let client: KakaoClient
    /// Consent items to request (`scope`). With `openid` (the default) Kakao issues an id_token,
    /// which is then required and verified; without any item Kakao asks for the app's items.
    let scopes: [String]
    /// The app's numeric id (`KAKAO_APP_ID`): a native app's token must have been issued to it.
    /// Nil: native-app logins are off.
    let appID: Int64?

    /// - Parameters:
    ///   - scopes: empty asks Kakao for the app's consent items, without an id_token.
    ///   - appID: the app id a native app's token must belong to (`access_token_info`'s
    ///     `app_id`); nil refuses native-app logins. An id_token of such a login must name one of
    ///     the client's keys as `aud` (the REST API key, or the native app key among the
    ///     configuration's ``KakaoClientConfiguration/additionalIDTokenAudiences``).
    public init(client: KakaoClient, scopes: [String] = ["openid"], name: String = "kakao", appID: Int64? = nil) {
        self.client = client
        self.scopes = scopes
        self.name = name
        self.appID = appID
    }

    /// Native-app logins are on when the app id is configured.
    public var acceptsAppTokens: Bool { appID != nil }

    /// Kakao asks for more consent items with the same authorize request: `scope` lists the
    /// configured items and then the additional ones (comma-separated, as Kakao documents it),
    /// so `openid` stays and the login still gets its id_token.
    public var allowsAdditionalScopes: Bool { true }

    public func authorizationURL(
        redirectURI: String,
        state: String,
        codeChallenge: String,
        nonce: String,
        additionalScopes: [String]
    ) async throws -> String {
        var items = [
            ("response_type", "code"), ("client_id", client.configuration.restAPIKey), ("redirect_uri", redirectURI),
            ("state", state), ("code_challenge", codeChallenge), ("code_challenge_method", "S256"), ("nonce", nonce),
        ]
        let asked = scopes + additionalScopes.filter { !scopes.contains($0) }
        if !asked.isEmpty { items.append(("scope", asked.joined(separator: ","))) }
        return client.configuration.authURL + "/oauth/authorize?" + FormBody.encode(items)
    }

    public func exchange(code: String, redirectURI: String, codeVerifier: String?) async throws -> ProviderTokens {
        do {
            let tokens = try await client.exchangeCode(code, redirectURI: redirectURI, codeVerifier: codeVerifier)
            return ProviderTokens(accessToken: tokens.accessToken, idToken: tokens.idToken, scopes: tokens.scopes)
        } catch {
            throw try Self.providerError(error)
        }
    }

    /// Kakao's unlink takes the admin key and the user id: no token is kept.
    public func disconnectToken(from tokens: ProviderTokens) -> String? { nil }

    /// `POST /v1/user/unlink` with the admin key; -101 (the user is not connected to the app)
    /// means it is already done.
    public func disconnect(subject: String, token: String?) async throws {
        guard let userID = Int64(subject) else {
            throw LoginProviderError(retryClass: .terminal, delivery: .notSent, failureCode: .internalError, providerError: nil)
        }
        do {
            _ = try await client.unlink(userID: userID)
        } catch let error where error.kakaoCode == .notConnected {
            return
        } catch {
            throw try Self.providerError(error)
        }
    }
}
