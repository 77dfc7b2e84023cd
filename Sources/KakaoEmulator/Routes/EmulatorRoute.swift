import EmulatorSupport

/// Every route the Kakao emulator serves, as `METHOD /path` (see ``EmulatorRouteTable``; the `/_emulator/*` ones are ``ControlRoute``).
enum EmulatorRoute: String, EmulatorRouteTable {
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
}
