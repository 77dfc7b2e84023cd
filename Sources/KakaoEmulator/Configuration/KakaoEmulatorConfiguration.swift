import EmulatorSupport
import Foundation

/// Everything the emulator is told at start. `KakaoEmulatorConfiguration()` is the fixed point
/// the team codes against: one app (REST key `emulator-rest-api-key`, client secret off, OIDC on,
/// redirect URIs on 127.0.0.1:8080 and localhost:8080), the named test users, Kakao's lifetimes,
/// the per-user token rate limit on, no faults.
///
/// A JSON file (``load(contentsOf:)``) uses the snake_case names below; every member is optional
/// (`"admin_key": null` gives an app no admin key; a missing one means `emulator-admin-key`).
/// `docs/emulator-config.example.json` shows them all.
///
/// ```json
/// { "code_lifetime_seconds": 600, "rate_limit": {"enabled": false},
///   "apps": [{"rest_api_key": "k", "client_secret": "s", "redirect_uris": ["http://127.0.0.1:3000/cb"],
///             "consent_items": [{"id": "profile_nickname", "required": true}, {"id": "account_email"}]}],
///   "users": [{"id": 42, "nickname": "Ryan", "email": "ryan@example.test"}],
///   "faults": {"latency_ms": 20, "error_rate": 0.05} }
/// ```
public struct KakaoEmulatorConfiguration: Sendable {
    /// The registered apps; the first is the one tools use by default (the second of the
    /// default, ``App/anotherApp``, stands for somebody else's app).
    public var apps: [App]
    /// The named test users shown on the consent page. Unknown ids given to `/_emulator/codes`
    /// become synthetic users on the fly.
    public var users: [User]
    /// How long an authorization code can be exchanged (Kakao's is short; 10 minutes is folklore).
    public var codeLifetimeSeconds: Int
    /// Access-token (and ID-token) lifetime; `expires_in` reports one second less (21599).
    public var accessTokenLifetimeSeconds: Int
    /// Refresh-token lifetime; `refresh_token_expires_in` reports one second less (5183999).
    public var refreshTokenLifetimeSeconds: Int
    /// A refresh with less than this left rotates the refresh token (one month).
    public var refreshRotationThresholdSeconds: Int
    /// Kakao's per-user token issuance limit (KOE237).
    public var rateLimit: RateLimit
    /// Faults in force at start.
    public var faults: KakaoEmulatorFaults
    /// The `iss` of ID tokens; nil means the emulator's own base URL (`http://127.0.0.1:PORT`).
    public var issuer: String?
    /// The base URL written into discovery; nil means the emulator's own base URL.
    public var publicBaseURL: String?
    /// HTTP status of the authorize error pages (KOE101, KOE006, …); Kakao's is UNCERTAIN.
    public var authorizeErrorStatus: Int
    /// Whether a code presented with a wrong `redirect_uri`, `code_verifier` or `client_id`
    /// is burnt (UNCERTAIN at Kakao; on by default, the strict choice).
    public var failedExchangeBurnsCode: Bool
    /// Whether a refresh returns a new `id_token` when the grant had `openid` (UNCERTAIN).
    public var idTokenOnRefresh: Bool
    /// Whether the token endpoint accepts a code exchange without `redirect_uri` (see
    /// ``TokenRedirectURI``); a `redirect_uri` that differs from the authorize request's is
    /// KOE303 either way.
    public var tokenRedirectURI: TokenRedirectURI
    /// Where the emulator calls the app's unlink callback when a user disconnects the app
    /// (`POST /_emulator/users/{id}/unlink`), as Kakao calls the URL registered for the app; nil:
    /// only a URL given with that request.
    public var unlinkCallbackURL: String?

    public init(
        apps: [App] = [App(), .anotherApp],
        users: [User] = User.namedTestUsers,
        codeLifetimeSeconds: Int = 600,
        accessTokenLifetimeSeconds: Int = 21_600,
        refreshTokenLifetimeSeconds: Int = 5_184_000,
        refreshRotationThresholdSeconds: Int = 2_592_000,
        rateLimit: RateLimit = RateLimit(),
        faults: KakaoEmulatorFaults = .none,
        issuer: String? = nil,
        publicBaseURL: String? = nil,
        authorizeErrorStatus: Int = 400,
        failedExchangeBurnsCode: Bool = true,
        idTokenOnRefresh: Bool = true,
        tokenRedirectURI: TokenRedirectURI = .optional,
        unlinkCallbackURL: String? = nil
    ) {
        self.apps = apps
        self.users = users
        self.codeLifetimeSeconds = codeLifetimeSeconds
        self.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds
        self.refreshTokenLifetimeSeconds = refreshTokenLifetimeSeconds
        self.refreshRotationThresholdSeconds = refreshRotationThresholdSeconds
        self.rateLimit = rateLimit
        self.faults = faults
        self.issuer = issuer
        self.publicBaseURL = publicBaseURL
        self.authorizeErrorStatus = authorizeErrorStatus
        self.failedExchangeBurnsCode = failedExchangeBurnsCode
        self.idTokenOnRefresh = idTokenOnRefresh
        self.tokenRedirectURI = tokenRedirectURI
        self.unlinkCallbackURL = unlinkCallbackURL
    }

    /// Reads a JSON configuration file (snake_case members, all optional).
    public static func load(contentsOf path: String) throws(KakaoEmulatorError) -> KakaoEmulatorConfiguration {
        try ConfigurationFile.load(KakaoEmulatorConfiguration.self, contentsOf: path)
    }

    /// Decodes a JSON configuration.
    public static func decode(json data: Data) throws(KakaoEmulatorError) -> KakaoEmulatorConfiguration {
        try ConfigurationFile.decode(KakaoEmulatorConfiguration.self, json: data)
    }

    /// Checks what would make the emulator misbehave: no app, duplicate keys or user ids,
    /// non-positive lifetimes, fault ranges.
    public func validate() throws(KakaoEmulatorError) {
        guard !apps.isEmpty else { throw KakaoEmulatorError(.invalidConfiguration, "at least one app is needed") }
        guard Set(apps.map(\.restAPIKey)).count == apps.count else {
            throw KakaoEmulatorError(.invalidConfiguration, "two apps share a REST API key")
        }
        let nativeKeys = apps.compactMap(\.nativeAppKey)
        guard Set(nativeKeys).count == nativeKeys.count, Set(apps.map(\.appID)).count == apps.count else {
            throw KakaoEmulatorError(.invalidConfiguration, "two apps share an app id or a native app key")
        }
        let adminKeys = apps.compactMap(\.adminKey)
        guard Set(adminKeys).count == adminKeys.count else {
            throw KakaoEmulatorError(.invalidConfiguration, "two apps share an admin key")
        }
        guard Set(users.map(\.id)).count == users.count else {
            throw KakaoEmulatorError(.invalidConfiguration, "two users share an id")
        }
        for app in apps where app.restAPIKey.isEmpty || app.redirectURIs.isEmpty || app.consentItems.contains(where: \.id.isEmpty) {
            throw KakaoEmulatorError(
                .invalidConfiguration,
                "every app needs a REST API key, at least one redirect URI, and consent items with ids"
            )
        }
        let lifetimes = [
            ("code_lifetime_seconds", codeLifetimeSeconds), ("access_token_lifetime_seconds", accessTokenLifetimeSeconds),
            ("refresh_token_lifetime_seconds", refreshTokenLifetimeSeconds),
        ]
        for (name, value) in lifetimes where value < 1 {
            throw KakaoEmulatorError(.invalidConfiguration, "\(name) must be at least 1")
        }
        guard (100...599).contains(authorizeErrorStatus) else {
            throw KakaoEmulatorError(.invalidConfiguration, "authorize_error_status must be an HTTP status")
        }
        guard rateLimit.status == 400 || rateLimit.status == 429 else {
            throw KakaoEmulatorError(.invalidConfiguration, "rate_limit.status must be 400 or 429")
        }
        try faults.validate()
    }
}

extension KakaoEmulatorConfiguration {
    /// `redirect_uri` at the token endpoint. Kakao's documents call it required; widely used
    /// third-party clients build the code exchange without it (only `grant_type`, `code`,
    /// `client_id`, `client_secret`) and work against the real Kakao, so ``optional`` is the
    /// default. docs/EMULATORS.md has the evidence.
    public enum TokenRedirectURI: String, Sendable, Hashable, Decodable, CaseIterable {
        /// An omitted `redirect_uri` is KOE303, as the documents say.
        case required
        /// An omitted `redirect_uri` is accepted; a different one is KOE303.
        case optional
    }

    /// Kakao's per-user token issuance limit: 20 access tokens per 10 minutes and 30 refresh
    /// tokens per hour, counted over code exchanges and refreshes together.
    public struct RateLimit: Sendable, Hashable {
        /// On by default, as at Kakao (`--no-rate-limit` turns it off).
        public var enabled: Bool
        /// Access tokens one user may be issued per 10 minutes.
        public var accessTokensPer10Minutes: Int
        /// Refresh tokens one user may be issued per hour.
        public var refreshTokensPerHour: Int
        /// HTTP status of a KOE237 answer (400 or 429; Kakao's is UNCERTAIN).
        public var status: Int

        public init(enabled: Bool = true, accessTokensPer10Minutes: Int = 20, refreshTokensPerHour: Int = 30, status: Int = 400) {
            self.enabled = enabled
            self.accessTokensPer10Minutes = accessTokensPer10Minutes
            self.refreshTokensPerHour = refreshTokensPerHour
            self.status = status
        }
    }

    /// One registered Kakao app.
    public struct App: Sendable, Hashable {
        /// The numeric app id (`app_id` of token info).
        public var appID: Int64
        /// The REST API key, used as `client_id`.
        public var restAPIKey: String
        /// The native app key the iOS and Android SDKs log in with: the `aud` of the id_tokens
        /// they get (`POST /_emulator/sdk-tokens`); nil: the app has no native platform.
        public var nativeAppKey: String?
        /// The client secret; nil means the app has the client secret switched off.
        public var clientSecret: String?
        /// The admin key (`Authorization: KakaoAK …`); nil means none.
        public var adminKey: String?
        /// Registered redirect URIs, compared byte for byte.
        public var redirectURIs: [String]
        /// Consent items the app has configured (`scope` values other than `openid`).
        public var consentItems: [ConsentItem]
        /// OpenID Connect switched on: `openid` may be requested and ID tokens are issued.
        public var oidc: Bool

        public init(
            appID: Int64 = 100_001,
            restAPIKey: String = "emulator-rest-api-key",
            nativeAppKey: String? = "emulator-native-app-key",
            clientSecret: String? = nil,
            adminKey: String? = "emulator-admin-key",
            redirectURIs: [String] = ["http://127.0.0.1:8080/auth/kakao/callback", "http://localhost:8080/auth/kakao/callback"],
            consentItems: [ConsentItem] = [
                ConsentItem(id: "profile_nickname", required: true),
                ConsentItem(id: "profile_image"),
                ConsentItem(id: "account_email"),
            ],
            oidc: Bool = true
        ) {
            self.appID = appID
            self.restAPIKey = restAPIKey
            self.nativeAppKey = nativeAppKey
            self.clientSecret = clientSecret
            self.adminKey = adminKey
            self.redirectURIs = redirectURIs
            self.consentItems = consentItems
            self.oidc = oidc
        }

        /// Somebody else's app, which the same Kakao users also use (app id 100002, REST key
        /// `emulator-other-rest-api-key`, native app key `emulator-other-native-app-key`, no
        /// admin key): a token the emulator issues to it must never sign anyone in to a service
        /// of the first app (`token_not_for_this_app`).
        public static let anotherApp = App(
            appID: 100_002,
            restAPIKey: "emulator-other-rest-api-key",
            nativeAppKey: "emulator-other-native-app-key",
            adminKey: nil,
            redirectURIs: ["http://127.0.0.1:8080/other-app/callback"]
        )
    }

    /// A consent item of an app (`profile_nickname`, `profile_image`, `account_email`, `name`,
    /// `gender`, `age_range`, `birthday`, `birthyear`, `phone_number`, or any other id).
    public struct ConsentItem: Sendable, Hashable {
        /// The scope id.
        public var id: String
        /// A required item cannot be declined on the consent page; a user without it gets -402.
        public var required: Bool

        public init(id: String, required: Bool = false) {
            self.id = id
            self.required = required
        }
    }

    /// A Kakao account that can log in.
    public struct User: Sendable, Hashable {
        /// The service user id (64-bit; may exceed 2^53).
        public var id: Int64
        /// `profile_nickname`.
        public var nickname: String?
        /// Profile image URL (https; user/me answers http unless `secure_resource=true`).
        public var profileImageURL: String?
        /// Thumbnail URL (https), also the ID token's `picture`.
        public var thumbnailImageURL: String?
        /// Kakao's default profile image.
        public var isDefaultImage: Bool
        /// Kakao's default nickname.
        public var isDefaultNickname: Bool
        /// Nil: the account has no email.
        public var email: String?
        /// `is_email_valid`.
        public var isEmailValid: Bool
        /// `is_email_verified`; the ID token carries `email` only when both are true.
        public var isEmailVerified: Bool
        /// Values of the other consent items, shown when configured and agreed to.
        public var name: String?
        public var gender: String?
        public var ageRange: String?
        public var birthyear: String?
        public var birthday: String?
        public var phoneNumber: String?
        /// When set, user/me answers this account's restriction error instead of the profile.
        public var restriction: Restriction?

        public init(
            id: Int64,
            nickname: String? = nil,
            profileImageURL: String? = nil,
            thumbnailImageURL: String? = nil,
            isDefaultImage: Bool = false,
            isDefaultNickname: Bool = false,
            email: String? = nil,
            isEmailValid: Bool = true,
            isEmailVerified: Bool = true,
            name: String? = nil,
            gender: String? = nil,
            ageRange: String? = nil,
            birthyear: String? = nil,
            birthday: String? = nil,
            phoneNumber: String? = nil,
            restriction: Restriction? = nil
        ) {
            self.id = id
            self.nickname = nickname
            self.profileImageURL = profileImageURL
            self.thumbnailImageURL = thumbnailImageURL
            self.isDefaultImage = isDefaultImage
            self.isDefaultNickname = isDefaultNickname
            self.email = email
            self.isEmailValid = isEmailValid
            self.isEmailVerified = isEmailVerified
            self.name = name
            self.gender = gender
            self.ageRange = ageRange
            self.birthyear = birthyear
            self.birthday = birthday
            self.phoneNumber = phoneNumber
            self.restriction = restriction
        }

        /// A user made up for an unknown id: a nickname and a valid, verified email.
        package static func synthetic(_ id: Int64) -> User {
            User(
                id: id,
                nickname: "user-\(id)",
                profileImageURL: "https://k.kakaocdn.net/dn/emulator/user_640x640.jpg",
                thumbnailImageURL: "https://k.kakaocdn.net/dn/emulator/user_110x110.jpg",
                isDefaultImage: true,
                email: "user-\(id)@emulator.kakao.test"
            )
        }

        private static func image(_ name: String) -> (String, String) {
            ("https://k.kakaocdn.net/dn/emulator/\(name)_640x640.jpg", "https://k.kakaocdn.net/dn/emulator/\(name)_110x110.jpg")
        }

        /// The default test users: an ordinary one, one with an id above 2^53, one without
        /// email, one with an unverified email, one with default profile image and nickname,
        /// and one whose account is restricted (user/me answers -4).
        public static let namedTestUsers: [User] = [
            User(
                id: 3_141_592_653,
                nickname: "라이언",
                profileImageURL: image("ryan").0,
                thumbnailImageURL: image("ryan").1,
                email: "ryan@emulator.kakao.test",
                name: "Ryan",
                gender: "male",
                ageRange: "20~29",
                birthday: "0101"
            ),
            User(
                id: 1_376_016_924_426_814_086,
                nickname: "어피치",
                profileImageURL: image("apeach").0,
                thumbnailImageURL: image("apeach").1,
                email: "apeach@emulator.kakao.test",
                gender: "female"
            ),
            User(id: 2_718_281_828, nickname: "무지", profileImageURL: image("muzi").0, thumbnailImageURL: image("muzi").1),
            User(
                id: 1_618_033_988,
                nickname: "프로도",
                profileImageURL: image("frodo").0,
                thumbnailImageURL: image("frodo").1,
                email: "frodo@emulator.kakao.test",
                isEmailVerified: false
            ),
            User(
                id: 1_414_213_562,
                nickname: "카카오 사용자",
                profileImageURL: image("default").0,
                thumbnailImageURL: image("default").1,
                isDefaultImage: true,
                isDefaultNickname: true,
                email: "neo@emulator.kakao.test"
            ),
            User(
                id: 1_732_050_807,
                nickname: "제이지",
                profileImageURL: image("jayg").0,
                thumbnailImageURL: image("jayg").1,
                email: "jayg@emulator.kakao.test",
                restriction: .sanctioned
            ),
        ]
    }

    /// Account states that make user/me fail with a kapi error.
    public enum Restriction: String, Sendable, Hashable, Decodable {
        /// -4, HTTP 403: the account is sanctioned.
        case sanctioned
        /// -103, HTTP 400: dormant or deleted account.
        case dormant
        /// -405, HTTP 403: age verification required.
        case ageVerificationRequired = "age_verification_required"
        /// -406, HTTP 401: under 14, and the app forbids it.
        case under14 = "under_14"
    }
}

extension KakaoEmulatorConfiguration.User: DirectoryUser {
    package var directoryID: Int64 { id }
}
