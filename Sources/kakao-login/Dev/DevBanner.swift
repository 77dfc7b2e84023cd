/// The lines `kakao-login dev` prints once everything listens: where the demo, the API, the
/// emulator (or Kakao), the database and the metrics are. Nothing secret: the private cluster's
/// connection string has no password, and a `DATABASE_URL` of the user's is never printed.
struct DevBanner {
    /// The API's base URL, `http://127.0.0.1:PORT`.
    var apiURL: String
    /// The emulator's base URL, when it stands in for Kakao.
    var emulatorURL: String?
    /// Kakao's authorization server, when the emulator does not run.
    var kakaoAuthURL: String
    /// The private cluster's connection string; `nil` when `DATABASE_URL` names the server.
    var clusterConnectionString: String?
    /// Why the cluster is not in the dev folder, if it is not.
    var clusterRelocation: String?
    /// The keys folder, when dev made the keys.
    var keysDirectory: String?
    var workerConcurrency: Int

    var text: String {
        var lines = [
            "kakao-login dev: the API, a worker\(emulatorURL == nil ? "" : ", the Kakao emulator") and the demo are running. Ctrl-C stops everything.",
            "",
            "  demo      \(apiURL)/",
            "  API       \(apiURL)   (OpenAPI: \(apiURL)/openapi.yaml)",
        ]
        if let emulatorURL {
            lines.append("  emulator  \(emulatorURL)   (stands in for Kakao: pick a test user on its consent page)")
        } else {
            lines.append("  Kakao     \(kakaoAuthURL)   (register \(apiURL)/auth/kakao/callback as a redirect URI of the app)")
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
}
