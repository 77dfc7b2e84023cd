import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line per event on standard error, as text or as one JSON object.
///
/// Text is swift-log's `StreamLogHandler` format:
/// `2026-12-07T03:37:03+0000 info kakao-login.api: job.id=42 login.id=… [LoginQueue] login.job.succeeded`.
/// JSON has `time` (UTC, milliseconds), `level`, `label`, `message`, then the metadata keys
/// (values as strings).
///
/// Written for a server that logs a few lines per request (measured in docs/BENCHMARKS.md):
/// setting a metadata key only stores it, where `StreamLogHandler` rebuilds its text for every
/// key set; the time comes from `localtime_r`, which reads the time zone once, where
/// `localtime` looks at `/etc/localtime` again on every call; and a line is one `write(2)`.
struct LineLogHandler: LogHandler {
    let label: String
    let format: Settings.LogFormat
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, format: Settings.LogFormat, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.format = format
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = Self.lineMetadata(metadata, provider: metadataProvider, event: event)
        switch format {
        case .text: Self.writeToStandardError(textLine(event, merged))
        case .json: jsonLine(event, merged).map { Self.writeToStandardError($0) }
        }
    }

    private func textLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var line = Self.timestamp()
        line += " \(event.level)"
        if !label.isEmpty { line += " \(label)" }
        line += ":"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        return line
    }

    /// UTC with milliseconds (`2026-12-05T09:21:29.123Z`): lines of one login are milliseconds apart.
    private static let jsonTimestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    private func jsonLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> String? {
        var fields: [String: String] = [:]
        for (key, value) in metadata { fields[key] = "\(value)" }
        fields["time"] = Date().formatted(Self.jsonTimestamp)
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = event.message.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let line = try? encoder.encode(fields) else { return nil }
        return String(decoding: line, as: UTF8.self) + "\n"
    }

    /// The metadata of one line: the logger's, then the provider's, then the call's (each wins
    /// over the one before), and the error's type and message when the call passed one.
    private static func lineMetadata(
        _ base: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        event: LogEvent
    ) -> Logger.Metadata {
        var merged = base
        if let provided = provider?.get(), !provided.isEmpty {
            merged.merge(provided) { $1 }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { $1 }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged
    }

    /// Writes `text` to file descriptor 2 in as few `write(2)` calls as it takes (one, for a
    /// line of usual length), so that lines of concurrent tasks do not interleave.
    private static func writeToStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // standard error is gone: a log line is not worth more
                }
            }
        }
    }

    /// Local time to the second with its offset, as `StreamLogHandler` writes it (text lines).
    private static func timestamp() -> String {
        var now = time(nil)
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let length = strftime(buffer.baseAddress!, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: length), as: UTF8.self)
        }
    }
}
