import EmulatorSupport
import Foundation

/// Everything the Google emulator is told at start. `GoogleEmulatorConfiguration()` is the
/// fixed point the team codes against: one web client (`emulator-google-client-id.apps.googleusercontent.com`,
/// secret `emulator-google-client-secret`, redirect URIs on 127.0.0.1:8080 and localhost:8080),
/// the named test users, Google's lifetimes, no faults, and the suggested choice for every
/// behaviour the reference marks UNCERTAIN (``Uncertain``).
///
/// A JSON file (``load(contentsOf:)``) uses the snake_case names below; every member is optional.
/// `docs/emulator-config.google.example.json` shows them all.
public struct GoogleEmulatorConfiguration: Sendable {
    /// The registered OAuth clients; the first is the one tools use by default.
    public var clients: [Client]
    /// The named test users on the account chooser. Unknown `sub`s given to `/_emulator/codes`
    /// or chosen on the page become synthetic users on the fly.
    public var users: [User]
    /// How long an authorization code can be exchanged (undocumented at Google; 10 minutes).
    public var codeLifetimeSeconds: Int
    /// Access-token lifetime; `expires_in` reports one second less (3599).
    public var accessTokenLifetimeSeconds: Int
    /// ID-token lifetime (`exp − iat`, one hour at Google).
    public var idTokenLifetimeSeconds: Int
    /// The `max-age` of the JWKS answer (Google's is 5–7 hours; scale it down in tests).
    public var jwksMaxAgeSeconds: Int
    /// Live refresh tokens one user may hold per client; the oldest dies silently beyond (100 at Google).
    public var refreshTokensPerClientMax: Int
    /// Faults in force at start.
    public var faults: EmulatorFaults
    /// The issuer in URL form (discovery's `issuer`); nil means the emulator's own base URL.
    public var issuer: String?
    /// Which of Google's two spellings of the issuer the ID tokens' `iss` uses.
    public var idTokenIssuerForm: IssuerForm
    /// The base URL written into discovery; nil means where the emulator listens.
    public var publicBaseURL: String?
    /// The choices where Google's behaviour is UNCERTAIN.
    public var uncertain: Uncertain

    public init(
        clients: [Client] = [Client()],
        users: [User] = User.namedTestUsers,
        codeLifetimeSeconds: Int = 600,
        accessTokenLifetimeSeconds: Int = 3600,
        idTokenLifetimeSeconds: Int = 3600,
        jwksMaxAgeSeconds: Int = 21_600,
        refreshTokensPerClientMax: Int = 100,
        faults: EmulatorFaults = .none,
        issuer: String? = nil,
        idTokenIssuerForm: IssuerForm = .url,
        publicBaseURL: String? = nil,
        uncertain: Uncertain = Uncertain()
    ) {
        self.clients = clients
        self.users = users
        self.codeLifetimeSeconds = codeLifetimeSeconds
        self.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds
        self.idTokenLifetimeSeconds = idTokenLifetimeSeconds
        self.jwksMaxAgeSeconds = jwksMaxAgeSeconds
        self.refreshTokensPerClientMax = refreshTokensPerClientMax
        self.faults = faults
        self.issuer = issuer
        self.idTokenIssuerForm = idTokenIssuerForm
        self.publicBaseURL = publicBaseURL
        self.uncertain = uncertain
    }

    /// Reads a JSON configuration file (snake_case members, all optional).
    public static func load(contentsOf path: String) throws(GoogleEmulatorError) -> GoogleEmulatorConfiguration {
        try ConfigurationFile.load(GoogleEmulatorConfiguration.self, contentsOf: path)
    }

    /// Decodes a JSON configuration.
    public static func decode(json data: Data) throws(GoogleEmulatorError) -> GoogleEmulatorConfiguration {
        try ConfigurationFile.decode(GoogleEmulatorConfiguration.self, json: data)
    }

    /// Checks what would make the emulator misbehave: no client, duplicate client ids or
    /// `sub`s, a web client without a secret, non-positive lifetimes, fault ranges.
    public func validate() throws(GoogleEmulatorError) {
        guard !clients.isEmpty else { throw GoogleEmulatorError(.invalidConfiguration, "at least one client is needed") }
        guard Set(clients.map(\.clientID)).count == clients.count else {
            throw GoogleEmulatorError(.invalidConfiguration, "two clients share a client id")
        }
        guard Set(users.map(\.sub)).count == users.count else { throw GoogleEmulatorError(.invalidConfiguration, "two users share a sub") }
        for user in users where !User.isValidSub(user.sub) {
            throw GoogleEmulatorError(.invalidConfiguration, "a sub must be 1 to 255 printable ASCII characters")
        }
        for client in clients
        where client.clientID.isEmpty || client.redirectURIs.isEmpty || client.type == .web && client.clientSecrets.isEmpty {
            throw GoogleEmulatorError(.invalidConfiguration, "every client needs an id and a redirect URI, and a web client a secret")
        }
        let positives = [
            ("code_lifetime_seconds", codeLifetimeSeconds), ("access_token_lifetime_seconds", accessTokenLifetimeSeconds),
            ("id_token_lifetime_seconds", idTokenLifetimeSeconds), ("jwks_max_age_seconds", jwksMaxAgeSeconds),
            ("refresh_tokens_per_client_max", refreshTokensPerClientMax),
        ]
        for (name, value) in positives where value < 1 {
            throw GoogleEmulatorError(.invalidConfiguration, "\(name) must be at least 1")
        }
        guard uncertain.quotaStatus == 403 || uncertain.quotaStatus == 429 else {
            throw GoogleEmulatorError(.invalidConfiguration, "uncertain.quota_status must be 403 or 429")
        }
        try faults.validate()
    }
}

extension GoogleEmulatorConfiguration {
    /// Google writes its issuer two ways: `https://accounts.google.com` and, in tokens from
    /// legacy paths, `accounts.google.com`. The emulator's two forms are its issuer URL and
    /// that URL without the scheme (`127.0.0.1:9091`).
    public enum IssuerForm: String, Sendable, Hashable, Decodable, CaseIterable {
        /// `http://127.0.0.1:9091` (Google's modern form).
        case url
        /// `127.0.0.1:9091` (Google's legacy form).
        case withoutScheme = "without_scheme"
    }

    /// One registered OAuth client.
    public struct Client: Sendable, Hashable {
        /// `<anything>.apps.googleusercontent.com`.
        public var clientID: String
        /// Every secret accepted (Google allows two at once, for rotation).
        public var clientSecrets: [String]
        /// Registered redirect URIs, compared byte for byte (scheme, host, port, path, case, slash).
        public var redirectURIs: [String]
        /// A web client must authenticate with a secret; an installed app may omit it.
        public var type: ClientType

        public init(
            clientID: String = "emulator-google-client-id.apps.googleusercontent.com",
            clientSecrets: [String] = ["emulator-google-client-secret"],
            redirectURIs: [String] = ["http://127.0.0.1:8080/auth/google/callback", "http://localhost:8080/auth/google/callback"],
            type: ClientType = .web
        ) {
            self.clientID = clientID
            self.clientSecrets = clientSecrets
            self.redirectURIs = redirectURIs
            self.type = type
        }
    }

    /// Web clients need `client_secret` at the token endpoint; installed apps (desktop, mobile) do not.
    public enum ClientType: String, Sendable, Hashable, Decodable, CaseIterable {
        case web
        case installed
    }
}
