import GoogleEmulator
import KakaoEmulator
import Logging

/// The provider a bench logs in with (`bench logins`: the `{provider}` of the routes) or whose
/// emulator it measures (`bench emulator`), and what it sends to that emulator: the token
/// endpoint and form (with the fixed points' client and redirect URI), the profile endpoint, and
/// the scopes of an exchange without and with `openid`.
public enum BenchProvider: String, Sendable, CaseIterable {
    case kakao
    case google

    /// The token endpoint's path.
    var tokenPath: String {
        switch self {
        case .kakao: "/oauth/token"
        case .google: "/token"
        }
    }

    /// The form of an authorization-code exchange of `code` (already form-safe).
    func exchangeForm(code: String) -> String {
        switch self {
        case .kakao:
            "grant_type=authorization_code&client_id=emulator-rest-api-key"
                + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Fkakao%2Fcallback&code=\(code)"
        case .google:
            "grant_type=authorization_code&client_id=emulator-google-client-id.apps.googleusercontent.com"
                + "&client_secret=emulator-google-client-secret"
                + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Fgoogle%2Fcallback&code=\(code)"
        }
    }

    /// The profile endpoint a login reads with the access token: Kakao's user/me, Google's userinfo.
    var profilePath: String {
        switch self {
        case .kakao: "/v2/user/me"
        case .google: "/v1/userinfo"
        }
    }

    /// The profile endpoint's name in the report.
    var profileName: String {
        switch self {
        case .kakao: "user/me"
        case .google: "userinfo"
        }
    }

    /// The emulator's count of profile reads in `/_emulator/stats`.
    var profileStat: String {
        switch self {
        case .kakao: "user_me_total"
        case .google: "userinfo_total"
        }
    }

    /// Scopes whose access token reads the profile endpoint (Google adds `openid`, so an ID token
    /// too).
    var profileScope: String {
        switch self {
        case .kakao: "profile_nickname account_email"
        case .google: "email profile"
        }
    }

    /// Scopes of an exchange without an ID token: Kakao's profile scopes; for Google an API scope
    /// outside userinfo (with `email` or `profile` Google grants `openid` as well).
    var plainScope: String {
        switch self {
        case .kakao: profileScope
        case .google: "https://www.googleapis.com/auth/drive.readonly"
        }
    }

    /// Scopes of an exchange with an RS256-signed ID token.
    var openidScope: String { "openid " + profileScope }

    /// Starts this provider's emulator in this process on a free port and runs `body` with its
    /// port and a way to mint a code of `scope` for a fresh synthetic user.
    func withInProcessEmulator<T>(
        logger: Logger,
        _ body: (_ port: Int, _ mint: @escaping @Sendable (_ scope: String) throws -> String) async throws -> T
    ) async throws -> T {
        switch self {
        case .kakao:
            let emulator = try KakaoEmulator(logger: logger)
            return try await emulator.withRunningServer { try await body(Self.port(of: $0)) { try emulator.mintCode(scope: $0) } }
        case .google:
            let emulator = try GoogleEmulator(logger: logger)
            return try await emulator.withRunningServer { try await body(Self.port(of: $0)) { try emulator.mintCode(scope: $0) } }
        }
    }

    private static func port(of baseURL: String) -> Int { Int(baseURL.split(separator: ":").last ?? "") ?? 0 }
}
