import EmulatorSupport

/// JSON decoding of the configuration file: snake_case names, every member optional with the
/// same default as the Swift initialisers.
extension GoogleEmulatorConfiguration: CheckedConfiguration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SnakeKey.self)
        let defaults = GoogleEmulatorConfiguration()
        self.init(
            clients: try c.value("clients", default: defaults.clients),
            users: try c.value("users", default: defaults.users),
            codeLifetimeSeconds: try c.value("code_lifetime_seconds", default: defaults.codeLifetimeSeconds),
            accessTokenLifetimeSeconds: try c.value("access_token_lifetime_seconds", default: defaults.accessTokenLifetimeSeconds),
            idTokenLifetimeSeconds: try c.value("id_token_lifetime_seconds", default: defaults.idTokenLifetimeSeconds),
            jwksMaxAgeSeconds: try c.value("jwks_max_age_seconds", default: defaults.jwksMaxAgeSeconds),
            refreshTokensPerClientMax: try c.value("refresh_tokens_per_client_max", default: defaults.refreshTokensPerClientMax),
            faults: try c.value("faults", default: defaults.faults),
            issuer: try c.optional("issuer"),
            idTokenIssuerForm: try c.value("id_token_issuer_form", default: defaults.idTokenIssuerForm),
            publicBaseURL: try c.optional("public_base_url"),
            uncertain: try c.value("uncertain", default: defaults.uncertain)
        )
    }
}

extension GoogleEmulatorConfiguration.Client: Decodable {
    /// `client_secrets` lists every secret; `client_secret` is a shorthand for one.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SnakeKey.self)
        let defaults = Self()
        let single: String? = try c.optional("client_secret")
        self.init(
            clientID: try c.value("client_id", default: defaults.clientID),
            clientSecrets: try c.value("client_secrets", default: single.map { [$0] } ?? defaults.clientSecrets),
            redirectURIs: try c.value("redirect_uris", default: defaults.redirectURIs),
            type: try c.value("type", default: defaults.type)
        )
    }
}

extension GoogleEmulatorConfiguration.User: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SnakeKey.self)
        self.init(
            sub: try c.decode(String.self, forKey: SnakeKey("sub")),
            email: try c.optional("email"),
            emailVerified: try c.value("email_verified", default: true),
            hd: try c.optional("hd"),
            name: try c.optional("name"),
            givenName: try c.optional("given_name"),
            familyName: try c.optional("family_name"),
            picture: try c.optional("picture"),
            locale: try c.optional("locale")
        )
    }
}

extension GoogleEmulatorConfiguration.Uncertain: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SnakeKey.self)
        let defaults = Self()
        self.init(
            authorizationResponseIss: try c.value("authorization_response_iss", default: defaults.authorizationResponseIss),
            advertiseIssParameter: try c.value("advertise_iss_parameter", default: defaults.advertiseIssParameter),
            revokeTokensOnCodeReuse: try c.value("revoke_tokens_on_code_reuse", default: defaults.revokeTokensOnCodeReuse),
            failedExchangeBurnsCode: try c.value("failed_exchange_burns_code", default: defaults.failedExchangeBurnsCode),
            promptNoneErrors: try c.value("prompt_none_errors", default: defaults.promptNoneErrors),
            quotaStatus: try c.value("quota_status", default: defaults.quotaStatus),
            revokeBody: try c.value("revoke_body", default: defaults.revokeBody),
            localeClaim: try c.value("locale_claim", default: defaults.localeClaim),
            keyRotation: try c.value("key_rotation", default: defaults.keyRotation)
        )
    }
}
