import OAuthClientSupport

/// The OpenID configuration (`/.well-known/openid-configuration`): where every endpoint is.
public struct GoogleDiscoveryDocument: Sendable, Hashable, JSONReadable {
    /// `issuer`: must equal the configured issuer URL.
    public let issuer: String
    /// `authorization_endpoint`.
    public let authorizationEndpoint: String
    /// `token_endpoint`.
    public let tokenEndpoint: String
    /// `userinfo_endpoint`.
    public let userinfoEndpoint: String
    /// `jwks_uri`.
    public let jwksURI: String
    /// `revocation_endpoint`, when advertised.
    public let revocationEndpoint: String?
    /// `code_challenge_methods_supported`, when advertised.
    public let codeChallengeMethodsSupported: [String]?
    /// `id_token_signing_alg_values_supported`, when advertised.
    public let idTokenSigningAlgValuesSupported: [String]?
    /// `scopes_supported`, when advertised.
    public let scopesSupported: [String]?

    package init?(json: JSONValue) {
        guard let issuer = json["issuer"]?.string, let authorizationEndpoint = json["authorization_endpoint"]?.string,
            let tokenEndpoint = json["token_endpoint"]?.string, let userinfoEndpoint = json["userinfo_endpoint"]?.string,
            let jwksURI = json["jwks_uri"]?.string
        else { return nil }
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.userinfoEndpoint = userinfoEndpoint
        self.jwksURI = jwksURI
        revocationEndpoint = json["revocation_endpoint"]?.string
        codeChallengeMethodsSupported = json["code_challenge_methods_supported"]?.strings
        idTokenSigningAlgValuesSupported = json["id_token_signing_alg_values_supported"]?.strings
        scopesSupported = json["scopes_supported"]?.strings
    }

    /// The endpoints the client sends codes, tokens and secrets to, by name.
    var endpoints: [(String, String)] {
        [
            ("authorization_endpoint", authorizationEndpoint), ("token_endpoint", tokenEndpoint),
            ("userinfo_endpoint", userinfoEndpoint), ("jwks_uri", jwksURI),
        ] + (revocationEndpoint.map { [("revocation_endpoint", $0)] } ?? [])
    }
}
