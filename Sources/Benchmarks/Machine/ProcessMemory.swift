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
        self.init(status: status)
    }

    /// Reads the text of a `/proc/PID/status` file; nil when it lacks `VmRSS` or `VmHWM`.
    init?(status: String) {
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
