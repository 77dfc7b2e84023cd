import EmulatorSupport

/// JSON decoding of the configuration file: snake_case names, every member optional with the
/// same default as the Swift initialisers.
extension KakaoEmulatorConfiguration: CheckedConfiguration {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SnakeKey.self)
        let defaults = KakaoEmulatorConfiguration()
        self.init(
            apps: try c.value("apps", default: defaults.apps),
            users: try c.value("users", default: defaults.users),
            codeLifetimeSeconds: try c.value("code_lifetime_seconds", default: defaults.codeLifetimeSeconds),
            accessTokenLifetimeSeconds: try c.value("access_token_lifetime_seconds", default: defaults.accessTokenLifetimeSeconds),
            refreshTokenLifetimeSeconds: try c.value("refresh_token_lifetime_seconds", default: defaults.refreshTokenLifetimeSeconds),
            refreshRotationThresholdSeconds: try c.value(
                "refresh_rotation_threshold_seconds",
                default: defaults.refreshRotationThresholdSeconds
            ),
            rateLimit: try c.value("rate_limit", default: defaults.rateLimit),
            faults: try c.value("faults", default: defaults.faults),
            issuer: try c.optional("issuer"),
            publicBaseURL: try c.optional("public_base_url"),
            authorizeErrorStatus: try c.value("authorize_error_status", default: defaults.authorizeErrorStatus),
            failedExchangeBurnsCode: try c.value("failed_exchange_burns_code", default: defaults.failedExchangeBurnsCode),
            idTokenOnRefresh: try c.value("id_token_on_refresh", default: defaults.idTokenOnRefresh),
            tokenRedirectURI: try c.value("token_redirect_uri", default: defaults.tokenRedirectURI),
            unlinkCallbackURL: try c.optional("unlink_callback_url")
        )
    }
}

extension KakaoEmulatorConfiguration.RateLimit: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SnakeKey.self)
        let defaults = Self()
        self.init(
            enabled: try c.value("enabled", default: defaults.enabled),
            accessTokensPer10Minutes: try c.value("access_tokens_per_10_minutes", default: defaults.accessTokensPer10Minutes),
            refreshTokensPerHour: try c.value("refresh_tokens_per_hour", default: defaults.refreshTokensPerHour),
            status: try c.value("status", default: defaults.status)
        )
    }
}

extension KakaoEmulatorConfiguration.App: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SnakeKey.self)
        let defaults = Self()
        self.init(
            appID: try c.value("app_id", default: defaults.appID),
            restAPIKey: try c.value("rest_api_key", default: defaults.restAPIKey),
            // Absent: no native platform (a default here would give two apps the same key).
            nativeAppKey: try c.optional("native_app_key"),
            clientSecret: try c.optional("client_secret"),
            adminKey: c.contains(SnakeKey("admin_key")) ? try c.optional("admin_key") : defaults.adminKey,
            redirectURIs: try c.value("redirect_uris", default: defaults.redirectURIs),
            consentItems: try c.value("consent_items", default: defaults.consentItems),
            oidc: try c.value("oidc", default: defaults.oidc)
        )
    }
}

extension KakaoEmulatorConfiguration.ConsentItem: Decodable {
    /// Either `"account_email"` or `{"id": "account_email", "required": false}`.
    public init(from decoder: any Decoder) throws {
        if let id = try? decoder.singleValueContainer().decode(String.self) {
            self.init(id: id)
            return
        }
        let c = try decoder.container(keyedBy: SnakeKey.self)
        self.init(id: try c.decode(String.self, forKey: SnakeKey("id")), required: try c.value("required", default: false))
    }
}

extension KakaoEmulatorConfiguration.User: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SnakeKey.self)
        self.init(
            id: try c.decode(Int64.self, forKey: SnakeKey("id")),
            nickname: try c.optional("nickname"),
            profileImageURL: try c.optional("profile_image_url"),
            thumbnailImageURL: try c.optional("thumbnail_image_url"),
            isDefaultImage: try c.value("is_default_image", default: false),
            isDefaultNickname: try c.value("is_default_nickname", default: false),
            email: try c.optional("email"),
            isEmailValid: try c.value("is_email_valid", default: true),
            isEmailVerified: try c.value("is_email_verified", default: true),
            name: try c.optional("name"),
            gender: try c.optional("gender"),
            ageRange: try c.optional("age_range"),
            birthyear: try c.optional("birthyear"),
            birthday: try c.optional("birthday"),
            phoneNumber: try c.optional("phone_number"),
            restriction: try c.optional("restriction")
        )
    }
}
