import EmulatorSupport

/// Every route the Google emulator serves, as `METHOD /path` (see ``EmulatorRouteTable``; the `/_emulator/*` ones are ``ControlRoute``): the
/// current paths of Google's hosts on one base URL, and the aliases real clients still call.
enum GoogleRoute: String, EmulatorRouteTable {
    case openIDConfiguration = "GET /.well-known/openid-configuration"
    case certs = "GET /oauth2/v3/certs"
    case authorize = "GET /o/oauth2/v2/auth"
    case authorizeLegacy = "GET /o/oauth2/auth"
    case approve = "POST /o/oauth2/v2/auth/approve"
    case token = "POST /token"
    case tokenLegacy = "POST /o/oauth2/token"
    case tokenV4 = "POST /oauth2/v4/token"
    case userInfo = "GET /v1/userinfo"
    case userInfoByPost = "POST /v1/userinfo"
    case userInfoV3 = "GET /oauth2/v3/userinfo"
    case userInfoV3ByPost = "POST /oauth2/v3/userinfo"
    case userInfoV2 = "GET /oauth2/v2/userinfo"
    case tokenInfo = "GET /tokeninfo"
    case tokenInfoByPost = "POST /tokeninfo"
    case tokenInfoV3 = "GET /oauth2/v3/tokeninfo"
    case tokenInfoV3ByPost = "POST /oauth2/v3/tokeninfo"
    case revoke = "POST /revoke"
    case revokeLegacy = "GET /o/oauth2/revoke"
    case revokeLegacyByPost = "POST /o/oauth2/revoke"

    /// The token endpoint's paths.
    static let tokenPaths = [token, tokenLegacy, tokenV4].map(\.path)
    /// The userinfo paths (v1, v3 and the old v2 shape).
    static let userInfoPaths = Set([userInfo, userInfoV3, userInfoV2].map(\.path))
    static let tokenInfoPaths = Set([tokenInfo, tokenInfoV3].map(\.path))
    static let revokePaths = Set([revoke, revokeLegacy].map(\.path))
}
