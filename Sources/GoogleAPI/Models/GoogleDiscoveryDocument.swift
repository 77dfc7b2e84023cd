import OAuthClientSupport

/// The OpenID configuration (`/.well-known/openid-configuration`): where every endpoint is.
public struct GoogleDiscoveryDocument: Sendable, Hashable, Decodable {
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

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard let issuer = container.lenient("issuer", as: String.self),
            let authorizationEndpoint = container.lenient("authorization_endpoint", as: String.self),
            let tokenEndpoint = container.lenient("token_endpoint", as: String.self),
            let userinfoEndpoint = container.lenient("userinfo_endpoint", as: String.self),
            let jwksURI = container.lenient("jwks_uri", as: String.self)
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an OpenID configuration"))
        }
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.userinfoEndpoint = userinfoEndpoint
        self.jwksURI = jwksURI
        revocationEndpoint = container.lenient("revocation_endpoint")
        codeChallengeMethodsSupported = container.lenient("code_challenge_methods_supported")
        idTokenSigningAlgValuesSupported = container.lenient("id_token_signing_alg_values_supported")
        scopesSupported = container.lenient("scopes_supported")
    }

    /// The endpoints the client sends codes, tokens and secrets to, by name.
    var endpoints: [(String, String)] {
        [
            ("authorization_endpoint", authorizationEndpoint), ("token_endpoint", tokenEndpoint),
            ("userinfo_endpoint", userinfoEndpoint), ("jwks_uri", jwksURI),
        ] + (revocationEndpoint.map { [("revocation_endpoint", $0)] } ?? [])
    }
}
