/// What the emulator remembers about one authorization code.
struct CodeRecord {
    let appID: Int64
    let clientID: String
    let redirectURI: String
    let userID: Int64
    /// `openid` was granted with this code: the exchange signs an ID token.
    let openid: Bool
    let codeChallenge: String?
    let nonce: String?
    /// Unix seconds of the (emulated) Kakao authentication, the ID token's `auth_time`.
    let authTime: Int64
    let expiresAt: Double
    /// How many times `/oauth/token` saw this code.
    var presentations = 0
    /// Exchanged, or burnt by a failed exchange: any later presentation is KOE320.
    var spent = false
}

/// An access or refresh token: whose, for which app, until when. Tokens of an older
/// `generation` than the link's were revoked by logout or unlink.
struct TokenRecord {
    let appID: Int64
    let userID: Int64
    let generation: Int
    let expiresAt: Double
    let openid: Bool
    /// The `auth_time` of the authentication behind the grant (for refreshed ID tokens).
    let authTime: Int64
}

/// The app–user pair a consent creates.
struct LinkKey: Hashable {
    let appID: Int64
    let userID: Int64
}

/// A user's connection to an app: the consent items they agreed to, since when.
struct Link {
    var scopes: Set<String>
    let connectedAt: String
}

/// Everything a successful token grant hands back to the route that answers it.
struct TokenGrant {
    let user: KakaoEmulatorConfiguration.User
    let scopes: Set<String>
    let openid: Bool
    let nonce: String?
    let authTime: Int64
    let accessToken: String
    /// Nil on a refresh that did not rotate.
    let refreshToken: String?
}

/// Why `/oauth/token` refused: each case is one KOE answer.
enum TokenFailure: Error {
    /// KOE320: unknown, expired or already presented code (or a PKCE mismatch).
    case invalidCode
    /// KOE303: `redirect_uri` differs from the authorize request.
    case redirectURIMismatch
    /// KOE114: the code was issued to another app key.
    case appMismatch
    /// KOE237: the per-user token limit.
    case rateLimited
    /// KOE322: unknown, expired, rotated or revoked refresh token.
    case invalidRefreshToken
}

/// Why a kapi call with a Bearer token or admin key was refused.
enum AccessFailure: Error {
    /// -401 "this access token does not exist".
    case tokenDoesNotExist
    /// -401 "this access token is already expired".
    case tokenExpired
    /// -101: the target user is not linked to the app.
    case notLinked
}
