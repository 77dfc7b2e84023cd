import Foundation

/// Whether a process runs, for checks that a server is gone: a process that has exited but
/// was not reaped yet (a zombie, e.g. a daemon whose adopting parent has not waited for it)
/// does not run, though `kill(pid, 0)` still succeeds for it.
public enum ProcessLiveness {
    public static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return false }
        // After "pid (comm)": the state letter.
        let state = stat[stat.index(after: end)...].split(separator: " ").first
        return state != nil && state != "Z" && state != "X"
    }
}
