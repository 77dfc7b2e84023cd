/// Why a server command refuses to start: one line naming the setting and what to do. Never
/// carries a secret's value.
struct StartupError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }

    /// A required setting is missing.
    static func missing(_ variable: String, _ hint: String) -> StartupError {
        StartupError("\(variable) is not set: \(hint)")
    }

    /// Settings problems, all on one line.
    static func invalid(_ problems: [SettingsReader.Problem]) -> StartupError {
        StartupError("invalid settings: " + problems.map(\.description).joined(separator: "; "))
    }
}
