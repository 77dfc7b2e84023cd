import Accounts
import Foundation
import GoogleAPI
import KakaoAPI
import Postgres

/// Everything `kakao-login config check` finds wrong with the settings, all at once, each as one
/// line naming the variable: what the settings reader found (bad numbers, URLs, files, modes),
/// then, per role, what the server would refuse at start — a missing or malformed setting, keys
/// that do not load, a connection string libpq does not parse. Nothing connects, nothing starts,
/// and no line carries a secret (the modules' errors are built that way).
struct ConfigCheck {
    let settings: Settings
    /// The settings reader's problems.
    let readerProblems: [SettingsReader.Problem]

    /// Every problem for `role`, reader problems first.
    func problems(for role: ConfigRole) async -> [String] {
        var lines = readerProblems.map(\.description)
        let flagged = Set(readerProblems.map { $0.variable.replacingOccurrences(of: "_FILE", with: "") })
        /// Runs a module's start-up check when the setting is set, or when it is required and
        /// the reader did not already report why it could not be read ("not set" would mislead).
        func check(_ variable: String, isSet: Bool, required: Bool, _ body: () async throws -> Void) async {
            guard isSet || (required && !flagged.contains(variable)) else { return }
            do {
                try await body()
            } catch {
                lines.append(Self.line(variable, error))
            }
        }
        let all = role.requiresEverything
        await check("KAKAO_REST_API_KEY", isSet: settings.kakaoRestAPIKey != nil, required: all) {
            _ = try settings.kakaoClientConfiguration()
        }
        await check("KAKAO_REDIRECT_URIS", isSet: false, required: role.servesAPI) {
            guard !settings.kakaoRedirectURIs.isEmpty else { throw Settings.missingKakaoRedirectURIs }
        }
        await check("KAKAO_UNLINK_CALLBACK", isSet: settings.kakaoUnlinkCallback && role.servesAPI, required: false) {
            _ = try settings.kakaoUnlinkHook()
        }
        await check("GOOGLE_CLIENT_ID", isSet: settings.googleEnabled, required: false) {
            _ = try settings.googleClientConfiguration()
        }
        await check("GOOGLE_REDIRECT_URIS", isSet: settings.googleEnabled && role.servesAPI, required: false) {
            guard !settings.googleRedirectURIs.isEmpty else { throw Settings.missingGoogleRedirectURIs }
        }
        await check("LOGIN_SEALING_KEYS", isSet: settings.sealingKeySpecification != nil, required: all) {
            _ = try settings.sealingKeys()
        }
        await check("LOGIN_JWT_KEYS", isSet: settings.jwtKeysFolder != nil, required: role.servesAPI) {
            _ = try await settings.accessTokenKeys()
        }
        await check("DATABASE_URL", isSet: settings.databaseURL != nil, required: all) {
            _ = try settings.postgresConfiguration(applicationName: "kakao-login config check")
        }
        await check("DATABASE_LISTEN_URL", isSet: settings.databaseListenURL != nil, required: false) {
            _ = try settings.listenerConfiguration(applicationName: "kakao-login config check")
        }
        return lines
    }

    /// `VARIABLE: what is wrong`, from any error the modules throw.
    private static func line(_ variable: String, _ error: any Error) -> String {
        switch error {
        case let error as StartupError:
            error.description
        case let error as AccountsError where error.code == .noSigningKeys:
            "\(variable): the folder holds no key (<kid>.pem, an ES256 private key)"
        case let error as AccountsError:
            (error.detail ?? error.code.description).hasPrefix(variable)
                ? error.detail ?? "" : "\(variable): \(error.detail ?? error.code.description)"
        case let error as PostgresError:
            "\(variable): \(error.summary)"
        case let error as KakaoAPIError:
            "\(variable): \(error)"
        case let error as GoogleAPIError:
            "\(variable): \(error)"
        default:
            "\(variable): \(CommandErrors.describe(error))"
        }
    }
}
