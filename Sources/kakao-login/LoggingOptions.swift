import ArgumentParser
import Foundation
import Logging

/// `--log-level` and `--log-format`, shared by the server commands; each wins over its variable.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (LOG_LEVEL).")
    var logLevel: String?

    @Option(help: "Log format: text or json (LOG_FORMAT).")
    var logFormat: String?

    /// The flags given, keyed by the variable each overrides.
    var flags: [String: String] {
        ["LOG_LEVEL": logLevel, "LOG_FORMAT": logFormat].compactMapValues { $0 }
    }

    /// For a command that reads no settings (the emulator): each flag, else its variable, else
    /// `info` and `text`. A value that names no level or format is refused.
    func levelAndFormat(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ValidationError) -> (Logger.Level, Settings.LogFormat) {
        let values = environment.merging(flags) { $1 }
        guard let level = Logger.Level(rawValue: (values["LOG_LEVEL"] ?? "info").lowercased()) else {
            throw ValidationError("LOG_LEVEL (--log-level) must be trace, debug, info, notice, warning, error or critical")
        }
        guard let format = Settings.LogFormat(rawValue: (values["LOG_FORMAT"] ?? "text").lowercased()) else {
            throw ValidationError("LOG_FORMAT (--log-format) must be json or text")
        }
        return (level, format)
    }
}
