import EmulatorSupport
import Hummingbird

/// `GET /.well-known/openid-configuration` and `GET /.well-known/jwks.json`.
struct DiscoveryRoutes {
    let core: EmulatorCore

    func openIDConfiguration(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        let base = core.baseURL
        var object = JSONObjectWriter()
        object.add("issuer", core.issuer)
        object.add("authorization_endpoint", base + "/oauth/authorize")
        object.add("token_endpoint", base + "/oauth/token")
        object.add("userinfo_endpoint", base + "/v1/oidc/userinfo")
        object.add("jwks_uri", base + "/.well-known/jwks.json")
        object.add("token_endpoint_auth_methods_supported", strings: ["client_secret_post"])
        object.add("subject_types_supported", strings: ["public"])
        object.add("id_token_signing_alg_values_supported", strings: ["RS256"])
        object.add("request_uri_parameter_supported", false)
        object.add("response_types_supported", strings: ["code"])
        object.add("response_modes_supported", strings: ["query"])
        object.add("grant_types_supported", strings: ["authorization_code", "refresh_token"])
        object.add("code_challenge_methods_supported", strings: ["S256"])
        object.add(
            "claims_supported",
            strings: ["iss", "aud", "sub", "auth_time", "exp", "iat", "nonce", "nickname", "picture", "email"]
        )
        return KakaoResponses.json(object.finish())
    }

    func jwks(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        KakaoResponses.json(core.signer.jwksJSON)
    }
}
