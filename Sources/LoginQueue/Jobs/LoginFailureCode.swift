/// Why a login failed: the stable `error.code` a frontend branches on (DESIGN.md, "Failure reasons").
public enum LoginFailureCode: String, Sendable, Hashable, CaseIterable, Codable {
    /// The provider rejected the code on its first presentation: expired, unknown or used elsewhere.
    case authorizationCodeInvalid = "authorization_code_invalid"
    /// The outcome of an earlier token request is unknown and a later presentation was rejected.
    case exchangeInterrupted = "exchange_interrupted"
    case redirectURIMismatch = "redirect_uri_mismatch"
    case kakaoClientMisconfigured = "kakao_client_misconfigured"
    case consentRequired = "consent_required"
    case kakaoAccountRestricted = "kakao_account_restricted"
    case idTokenInvalid = "id_token_invalid"
    /// A native app's Kakao token (`POST /auth/kakao/token`) was issued to another app: Kakao's
    /// token info names another app id (the token-substitution attack).
    case tokenNotForThisApp = "token_not_for_this_app"
    /// A native app's Kakao token is invalid, expired or revoked (Kakao's -401).
    case kakaoTokenInvalid = "kakao_token_invalid"
    case kakaoRateLimited = "kakao_rate_limited"
    case kakaoUnavailable = "kakao_unavailable"
    /// Google's counterparts of the four `kakao_` codes.
    case googleClientMisconfigured = "google_client_misconfigured"
    case googleAccountRestricted = "google_account_restricted"
    case googleRateLimited = "google_rate_limited"
    case googleUnavailable = "google_unavailable"
    case loginExpired = "login_expired"
    /// A link login found its identity linked to another user; nothing changed.
    case identityAlreadyLinked = "identity_already_linked"
    /// A link login found the user already linked to another account of that provider.
    case providerAlreadyLinked = "provider_already_linked"
    /// The provider said the user disconnected the app (Kakao's unlink callback) while the login ran.
    case providerUnlinked = "provider_unlinked"
    case canceled = "canceled"
    case internalError = "internal_error"

    /// A short message for the frontend; never provider text.
    public var message: String {
        switch self {
        case .authorizationCodeInvalid: "The authorization code is invalid or expired. Start the login again."
        case .exchangeInterrupted: "The code exchange was interrupted. Start the login again."
        case .redirectURIMismatch: "The redirect URI does not match one registered at the provider."
        case .kakaoClientMisconfigured: "The Kakao app is misconfigured."
        case .consentRequired: "A required consent item was not agreed to."
        case .kakaoAccountRestricted: "This Kakao account cannot log in to this app."
        case .idTokenInvalid: "The identity token could not be verified. Start the login again."
        case .tokenNotForThisApp: "The Kakao token was issued to another app."
        case .kakaoTokenInvalid: "The Kakao token is invalid, expired or revoked. Log in with Kakao again."
        case .kakaoRateLimited: "Kakao is rate limiting logins. Try again later."
        case .kakaoUnavailable: "Kakao is unavailable. Try again later."
        case .googleClientMisconfigured: "The Google client is misconfigured."
        case .googleAccountRestricted: "This Google account cannot sign in to this app."
        case .googleRateLimited: "Google is rate limiting sign-ins. Try again later."
        case .googleUnavailable: "Google is unavailable. Try again later."
        case .loginExpired: "The login was not completed in time. Start the login again."
        case .identityAlreadyLinked: "This account is already linked to another user."
        case .providerAlreadyLinked: "Another account of this provider is already linked; unlink it first."
        case .providerUnlinked: "The account was disconnected from this app during the login. Start the login again."
        case .canceled: "The login was canceled."
        case .internalError: "The login failed. Try again later."
        }
    }
}
