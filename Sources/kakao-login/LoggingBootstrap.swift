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
    /// logger with `label`.
    static func logger(_ label: String) -> Logger {
        let environment = ProcessInfo.processInfo.environment
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let format = environment["LOG_FORMAT"].flatMap { Settings.LogFormat(rawValue: $0.lowercased()) } ?? .text
        return logger(label, level: level, format: format)
    }
}
