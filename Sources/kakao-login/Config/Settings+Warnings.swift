import LoginAPI

extension Settings {
    /// Settings that are valid but weaken the service, each named with its variable and what it
    /// gives away: `config check` prints them (and fails on them with `--strict`).
    func warnings(for role: ConfigRole) -> [SettingsReader.Problem] {
        var warnings: [SettingsReader.Problem] = []
        func warn(_ variable: String, _ message: String) { warnings.append(.init(variable: variable, message: message)) }
        if !requireState, role.servesAPI || role == .dev {
            warn(
                "LOGIN_REQUIRE_STATE",
                "false accepts codes without a state or PKCE bound to the browser (login CSRF, code injection): only for a frontend that cannot start attempts"
            )
        }
        if !kakaoScopes.contains("openid") {
            warn("KAKAO_SCOPES", "has no openid: logins are not checked by an ID token (signature, audience, nonce)")
        }
        if kakaoAppID == nil, kakaoNativeAppKey != nil {
            warn("KAKAO_APP_ID", "is not set, so native-app login (POST /auth/kakao/token) is off although KAKAO_NATIVE_APP_KEY is given")
        }
        if !googleEnabled, !googleRedirectURIs.isEmpty || googleClientSecret != nil {
            warn("GOOGLE_CLIENT_ID", "is not set, so Google sign-in is off although other GOOGLE_ settings are given")
        }
        for proxy in trustedProxies where IPNetwork(proxy)?.description.hasSuffix("/0") == true {
            warn(
                "LOGIN_TRUSTED_PROXIES",
                "\(proxy) trusts every address as a proxy: any client picks the address its rate limits and caps count against"
            )
        }
        if cookieSameSite == "None", redirectURIsAreAllLoopback {
            warn(
                "LOGIN_COOKIE_SAMESITE",
                "None needs Secure, so the attempt cookie is Secure although every redirect URI is plain http: browsers keep it only on localhost"
            )
        }
        for origin in corsAllowedOrigins where origin.lowercased().hasPrefix("http://") && !Self.isLoopbackOrigin(origin) {
            warn(
                "CORS_ALLOWED_ORIGINS",
                "\(origin) is plain http: anyone on its network can run script that calls the API with credentials"
            )
        }
        if databasePooler == .pgbouncerTransaction, databaseListenURL == nil {
            warn(
                "DATABASE_LISTEN_URL",
                "is not set, so LISTEN goes through the transaction-mode pooler of DATABASE_URL and hears nothing: "
                    + "long-polls answer only on their 2-second recheck and idle workers claim only on their poll; "
                    + "point it at PostgreSQL itself"
            )
        }
        if allowEmulator {
            warn(
                "LOGIN_ALLOW_EMULATOR",
                "true makes this a test deployment: an emulator's URL is accepted and its made-up users can log in"
            )
        }
        return warnings
    }

    private static func isLoopbackOrigin(_ origin: String) -> Bool {
        guard let host = origin.split(separator: "/").dropFirst(1).first?.split(separator: ":").first else { return false }
        return SettingsReader.isLoopback(String(host))
    }
}
