import Foundation
import Logging
import Synchronization

/// Bootstraps swift-log once per process from `LOG_LEVEL` (`trace` … `critical`, default
/// `info`) and `LOG_FORMAT` (`text`, the default, in swift-log's `StreamLogHandler` format, or
/// `json`: one JSON object per line), or from the values a command read from its settings and
/// flags.
/// Logs go to standard error; command output goes to standard output.
enum LoggingBootstrap {
    private static let done = Mutex(false)

    /// Bootstraps logging with `level` and `format` unless it was done already (the first call
    /// wins), and returns a logger with `label`.
    /// - Parameter metadataProvider: adds metadata to every line (the trace's ids when tracing is on).
    static func logger(
        _ label: String,
        level: Logger.Level,
        format: Settings.LogFormat,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> Logger {
        done.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = LineLogHandler(label: label, format: format, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                },
                metadataProvider: metadataProvider
            )
        }
        return Logger(label: label)
    }

    /// Bootstraps logging from `LOG_LEVEL` and `LOG_FORMAT` (first call only) and returns a
    /// logger with `label`; a value that names no level or format is refused.
    static func logger(_ label: String) throws(StartupError) -> Logger {
        let (level, format) = try levelAndFormat(ProcessInfo.processInfo.environment)
        return logger(label, level: level, format: format)
    }

    /// The level and format that `LOG_LEVEL` and `LOG_FORMAT` in `variables` name, `info` and
    /// `text` when absent, for the commands that read no settings.
    static func levelAndFormat(_ variables: [String: String]) throws(StartupError) -> (Logger.Level, Settings.LogFormat) {
        let levelName = variables["LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw StartupError(
                "log level \(levelName.debugDescription) (LOG_LEVEL, --log-level) is not one of trace, debug, info, notice, warning, error, critical"
            )
        }
        let formatName = variables["LOG_FORMAT"] ?? "text"
        guard let format = Settings.LogFormat(rawValue: formatName.lowercased()) else {
            throw StartupError("log format \(formatName.debugDescription) (LOG_FORMAT, --log-format) is not json or text")
        }
        return (level, format)
    }
}
