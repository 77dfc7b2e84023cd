import HTTPTypes

/// Every route the emulator serves, as `METHOD /path`. The router registers exactly these
/// (``KakaoEmulator/buildRouter()``) and ``EmulatorCounters`` counts the requests to each of
/// their paths, so no served path goes uncounted.
enum EmulatorRoute: String, CaseIterable {
    case authorize = "GET /oauth/authorize"
    case consent = "POST /oauth/authorize/consent"
    case accountLogout = "GET /oauth/logout"
    case token = "POST /oauth/token"
    case tokenInfo = "POST /oauth/tokeninfo"
    case userMe = "GET /v2/user/me"
    case userMeByPost = "POST /v2/user/me"
    case accessTokenInfo = "GET /v1/user/access_token_info"
    case logout = "POST /v1/user/logout"
    case unlink = "POST /v1/user/unlink"
    case oidcUserInfo = "GET /v1/oidc/userinfo"
    case oidcUserInfoByPost = "POST /v1/oidc/userinfo"
    case openIDConfiguration = "GET /.well-known/openid-configuration"
    case jwks = "GET /.well-known/jwks.json"
    case codes = "POST /_emulator/codes"
    case stats = "GET /_emulator/stats"
    case elapsed = "GET /_emulator/elapsed"
    case faults = "GET /_emulator/faults"
    case setFaults = "POST /_emulator/faults"
    case clock = "POST /_emulator/clock"
    case rotateKey = "POST /_emulator/keys/rotate"

    var method: HTTPRequest.Method { rawValue.hasPrefix("POST ") ? .post : .get }

    var path: String { String(rawValue.drop { $0 != "/" }) }
}
