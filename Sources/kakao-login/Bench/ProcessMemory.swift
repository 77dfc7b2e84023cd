import Foundation

/// A process's resident memory, from `/proc/PID/status` (Linux).
struct ProcessMemory: Sendable {
    /// `VmRSS`: resident now, MiB.
    let residentMiB: Double
    /// `VmHWM`: the most it was ever resident, MiB.
    let peakMiB: Double

    /// Reads it; nil when the process is gone or `/proc` is not there.
    init?(pid: Int32) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func mebibytes(_ field: String) -> Double? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
                let kibibytes = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Double($0) })
            else { return nil }
            return kibibytes / 1024
        }
        guard let resident = mebibytes("VmRSS"), let peak = mebibytes("VmHWM") else { return nil }
        residentMiB = resident
        peakMiB = peak
    }
}

/// The machine the bench runs on.
enum MachineFacts {
    /// Online cores.
    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The 1-minute load average (`/proc/loadavg`), if readable.
    static var loadAverage: Double? {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) }
    }
}
