import Foundation
import GoogleEmulator

/// The settings `kakao-login dev` runs the API and the worker with: the process environment,
/// with a default for every setting it leaves out. What the environment sets wins, so real
/// Kakao settings (or a `DATABASE_URL`) work unchanged.
///
/// The defaults: the API on `127.0.0.1`; redirect URIs `http://127.0.0.1:PORT/auth/kakao/callback`
/// and `http://localhost:PORT/auth/kakao/callback` (the demo's callback page), and their
/// `/auth/google/callback` twins; the emulators' keys and URLs when they run; the dev folder's keys; the private cluster; a
/// short worker shutdown grace; the demo pages on.
struct DevEnvironment {
    /// The process environment.
    let base: [String: String]

    /// Whether the emulator stands in for Kakao: yes unless `--no-emulator`, or
    /// `KAKAO_AUTH_URL` names a host that is not loopback (real Kakao, or a staging one).
    func usesEmulator(disabledByFlag: Bool) -> Bool {
        guard !disabledByFlag else { return false }
        guard let authURL = value("KAKAO_AUTH_URL") else { return true }
        return URL(string: authURL)?.host.map(SettingsReader.isLoopback) ?? false
    }

    /// Whether the Google emulator stands in for Google: yes unless `--no-emulator`, or
    /// `GOOGLE_ISSUER_URL` names a host that is not loopback (the real Google).
    func usesGoogleEmulator(disabledByFlag: Bool) -> Bool {
        guard !disabledByFlag else { return false }
        guard let issuer = value("GOOGLE_ISSUER_URL") else { return true }
        return URL(string: issuer)?.host.map(SettingsReader.isLoopback) ?? false
    }

    /// Whether the environment names a database server (then no private cluster is started).
    var namesDatabase: Bool { value("DATABASE_URL") != nil || value("DATABASE_URL_FILE") != nil }
    /// Whether the environment brings sealing keys.
    var hasSealingKeys: Bool { value("LOGIN_SEALING_KEYS") != nil || value("LOGIN_SEALING_KEYS_FILE") != nil }
    /// Whether the environment brings a JWT key folder.
    var hasJWTKeys: Bool { value("LOGIN_JWT_KEYS") != nil }

    /// The environment the settings are read from.
    /// - Parameters:
    ///   - emulatorURL: the Kakao emulator's base URL, when it runs.
    ///   - googleEmulatorURL: the Google emulator's base URL, when it runs.
    ///   - sealingKeysFile, jwtKeysDirectory: generated keys, when the environment has none.
    ///   - databaseURL: the private cluster, when the environment names no server.
    func resolved(
        port: Int,
        emulatorURL: String?,
        googleEmulatorURL: String?,
        sealingKeysFile: String?,
        jwtKeysDirectory: String?,
        databaseURL: String?
    ) -> [String: String] {
        var environment = base
        environment["HOST"] = "127.0.0.1"
        environment["PORT"] = String(port)
        setDefault(
            "KAKAO_REDIRECT_URIS",
            "http://127.0.0.1:\(port)/auth/kakao/callback,http://localhost:\(port)/auth/kakao/callback",
            in: &environment
        )
        if let emulatorURL {
            environment["KAKAO_AUTH_URL"] = emulatorURL
            environment["KAKAO_API_URL"] = emulatorURL
            setDefault("KAKAO_REST_API_KEY", DevEmulator.restAPIKey, in: &environment)
            // Native-app logins (POST /auth/kakao/token) with the emulator app's SDK tokens.
            setDefault("KAKAO_APP_ID", String(DevEmulator.appID), in: &environment)
            if let nativeAppKey = DevEmulator.nativeAppKey { setDefault("KAKAO_NATIVE_APP_KEY", nativeAppKey, in: &environment) }
            // Kakao's unlink callback, served at /hooks/kakao/unlink with the emulator app's admin key.
            if let adminKey = DevEmulator.adminKey { setDefault("KAKAO_ADMIN_KEY", adminKey, in: &environment) }
            setDefault("KAKAO_UNLINK_CALLBACK", "true", in: &environment)
            // A test deployment: the API and the worker accept the emulator's plain-http loopback
            // URL, and its identities are kept apart as provider `kakao_emulator`.
            environment["LOGIN_ALLOW_EMULATOR"] = "true"
        }
        if let googleEmulatorURL {
            setDefault(
                "GOOGLE_REDIRECT_URIS",
                "http://127.0.0.1:\(port)/auth/google/callback,http://localhost:\(port)/auth/google/callback",
                in: &environment
            )
            environment["GOOGLE_ISSUER_URL"] = googleEmulatorURL
            setDefault("GOOGLE_CLIENT_ID", DevEmulator.googleClient.clientID, in: &environment)
            setDefault("GOOGLE_CLIENT_SECRET", DevEmulator.googleClient.clientSecrets[0], in: &environment)
            environment["LOGIN_ALLOW_EMULATOR"] = "true"
        }
        if let sealingKeysFile { environment["LOGIN_SEALING_KEYS_FILE"] = sealingKeysFile }
        if let jwtKeysDirectory { environment["LOGIN_JWT_KEYS"] = jwtKeysDirectory }
        if let databaseURL { environment["DATABASE_URL"] = databaseURL }
        setDefault("LOGIN_WORKER_SHUTDOWN_GRACE_SECONDS", "5", in: &environment)
        setDefault("LOGIN_DEMO_PAGE", "true", in: &environment)
        return environment
    }

    /// A variable's value; empty counts as unset (as for every setting).
    private func value(_ name: String) -> String? {
        base[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    private func setDefault(_ name: String, _ value: String, in environment: inout [String: String]) {
        if self.value(name) == nil { environment[name] = value }
    }
}
