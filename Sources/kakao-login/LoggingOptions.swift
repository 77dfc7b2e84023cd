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
    /// `info` and `text`; a value that names no level or format is refused.
    func levelAndFormat() throws(StartupError) -> (Logger.Level, Settings.LogFormat) {
        try LoggingBootstrap.levelAndFormat(ProcessInfo.processInfo.environment.merging(flags) { $1 })
    }
}
