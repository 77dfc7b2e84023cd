import Foundation

/// The machine the bench runs on.
enum MachineFacts {
    /// Online cores.
    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The 1-minute load average (`/proc/loadavg`), if readable.
    static var loadAverage: Double? {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) }
    }
}
