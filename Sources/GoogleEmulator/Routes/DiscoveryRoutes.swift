import EmulatorSupport
import HTTPTypes
import Hummingbird

/// `GET /.well-known/openid-configuration`, pointing at the emulator's own endpoints (Google's
/// fields; the response types and grant types it lists are the ones it serves), and the JWKS at
/// `GET /oauth2/v3/certs` with Google's caching headers.
struct DiscoveryRoutes {
    let core: GoogleCore

    func openIDConfiguration(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        let base = core.runtime.baseURL
        var object = JSONObjectWriter(pretty: true)
        object.add("issuer", core.issuer)
        object.add("authorization_endpoint", base + GoogleRoute.authorize.path)
        object.add("token_endpoint", base + GoogleRoute.token.path)
        object.add("userinfo_endpoint", base + GoogleRoute.userInfo.path)
        object.add("revocation_endpoint", base + GoogleRoute.revoke.path)
        object.add("jwks_uri", base + GoogleRoute.certs.path)
        object.add("response_types_supported", strings: ["code"])  // Google lists 8; the emulator serves the code flow
        if core.configuration.uncertain.advertiseIssParameter {
            object.add("response_modes_supported", strings: ["query", "fragment", "form_post"])
            object.add("authorization_response_iss_parameter_supported", true)
        }
        object.add("subject_types_supported", strings: ["public"])
        object.add("id_token_signing_alg_values_supported", strings: ["RS256"])
        object.add("scopes_supported", strings: ["openid", "email", "profile"])
        object.add("token_endpoint_auth_methods_supported", strings: ["client_secret_post", "client_secret_basic"])
        object.add(
            "claims_supported",
            strings: ["aud", "email", "email_verified", "exp", "family_name", "given_name", "iat", "iss", "name", "picture", "sub"]
        )
        object.add("code_challenge_methods_supported", strings: ["plain", "S256"])
        object.add("grant_types_supported", strings: ["authorization_code", "refresh_token"])
        return GoogleResponses.json(
            object.finish(),
            headers: [.cacheControl: "public, max-age=3600", .accessControlAllowOrigin: "*"]
        )
    }

    /// The published keys; `max-age` and `Expires` tell clients when to fetch them again.
    func certs(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        let maxAge = core.configuration.jwksMaxAgeSeconds
        return GoogleResponses.json(
            core.keys.jwksJSON,
            headers: [
                .cacheControl: "public, max-age=\(maxAge), must-revalidate, no-transform",
                .expires: UTCText.httpDate(unixSeconds: Int64(core.now) + Int64(maxAge)),
            ]
        )
    }
}
