/// The lines `kakao-login dev` prints once everything listens: where the demo, the API, the
/// emulator (or Kakao), the database and the metrics are. Nothing secret: the private cluster's
/// connection string has no password, and a `DATABASE_URL` of the user's is never printed.
struct DevBanner {
    /// The API's base URL, `http://127.0.0.1:PORT`.
    var apiURL: String
    /// The emulator's base URL, when it stands in for Kakao.
    var emulatorURL: String?
    /// The Google emulator's base URL, when it stands in for Google.
    var googleEmulatorURL: String?
    /// Kakao's authorization server, when the emulator does not run.
    var kakaoAuthURL: String
    /// Google's issuer, when Google sign-in is on and its emulator does not run.
    var googleIssuerURL: String?
    /// The private cluster's connection string; `nil` when `DATABASE_URL` names the server.
    var clusterConnectionString: String?
    /// Why the cluster is not in the dev folder, if it is not.
    var clusterRelocation: String?
    /// The keys folder, when dev made the keys.
    var keysDirectory: String?
    var workerConcurrency: Int

    var text: String {
        var lines = [
            "kakao-login dev: the API, a worker\(emulatorsRunning) and the demo are running. Ctrl-C stops everything.",
            "",
            "  demo      \(apiURL)/",
            "  API       \(apiURL)   (OpenAPI: \(apiURL)/openapi.yaml)",
        ]
        if let emulatorURL {
            lines.append("  emulator  \(emulatorURL)   (stands in for Kakao: pick a test user on its consent page)")
        } else {
            lines.append("  Kakao     \(kakaoAuthURL)   (register \(apiURL)/auth/kakao/callback as a redirect URI of the app)")
        }
        if let googleEmulatorURL {
            lines.append("  google    \(googleEmulatorURL)   (stands in for Google: pick a test account on its chooser)")
        } else if let googleIssuerURL {
            lines.append("  Google    \(googleIssuerURL)   (register \(apiURL)/auth/google/callback as a redirect URI of the client)")
        }
        if let clusterConnectionString {
            lines.append("  database  psql \"\(clusterConnectionString)\"")
            if let clusterRelocation { lines.append("            (the cluster is outside the dev folder: \(clusterRelocation))") }
        } else {
            lines.append("  database  the server DATABASE_URL names")
        }
        lines.append("  metrics   \(apiURL)/metrics   (API and worker, \(workerConcurrency) jobs at once)")
        if let keysDirectory { lines.append("  keys      \(keysDirectory)   (throw-away, reused on the next run)") }
        return lines.joined(separator: "\n") + "\n\n"
    }

    private var emulatorsRunning: String {
        switch (emulatorURL != nil, googleEmulatorURL != nil) {
        case (true, true): ", the Kakao and Google emulators"
        case (true, false): ", the Kakao emulator"
        case (false, true): ", the Google emulator"
        case (false, false): ""
        }
    }
}
