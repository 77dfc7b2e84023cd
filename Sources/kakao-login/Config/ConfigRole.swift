import ArgumentParser

/// Which process a configuration is checked for: each needs its own settings.
enum ConfigRole: String, ExpressibleByArgument, CaseIterable {
    /// `kakao-login api`: Kakao's REST API key and redirect URIs, sealing keys, JWT keys, the database.
    case api
    /// `kakao-login worker`: Kakao's REST API key, sealing keys, the database.
    case worker
    /// `kakao-login dev`: nothing is required (dev makes keys, a cluster, and runs the emulator);
    /// what is set must be right.
    case dev
    /// Every server process: what `api` and `worker` need.
    case all

    /// Whether the role refuses to start without the settings every login needs.
    var requiresEverything: Bool { self != .dev }
    /// Whether the role serves HTTP logins (redirect URIs, JWT keys).
    var servesAPI: Bool { self == .api || self == .all }
}
