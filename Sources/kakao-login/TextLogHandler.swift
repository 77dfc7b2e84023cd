import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line per event on standard error, in swift-log's `StreamLogHandler` format:
/// `2026-12-07T03:37:03+0000 info kakao-login.api: job.id=42 login.id=… [LoginQueue] login.job.succeeded`.
///
/// Written for a server that logs a few lines per request (measured in docs/BENCHMARKS.md):
/// setting a metadata key only stores it, where `StreamLogHandler` rebuilds its text for every
/// key set; the time comes from `localtime_r`, which reads the time zone once, where
/// `localtime` looks at `/etc/localtime` again on every call; and a line is one `write(2)`.
struct TextLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = Self.lineMetadata(metadata, provider: metadataProvider, event: event)
        var line = Self.timestamp()
        line += " \(event.level)"
        if !label.isEmpty { line += " \(label)" }
        line += ":"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        Self.writeToStandardError(line)
    }

    /// The metadata of one line: the logger's, then the provider's, then the call's (each wins
    /// over the one before), and the error's type and message when the call passed one.
    static func lineMetadata(
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
    static func writeToStandardError(_ text: String) {
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

    /// Local time to the second with its offset, as `StreamLogHandler` writes it.
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
