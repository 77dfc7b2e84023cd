import Foundation

/// Whether a process (or a process group) runs, for checks that a server is gone: a process that
/// has exited but was not reaped yet (a zombie, e.g. a daemon whose adopting parent has not
/// waited for it) does not run, though `kill(pid, 0)` still succeeds for it.
public enum ProcessLiveness {
    public static func isRunning(_ pid: Int32) -> Bool {
        guard let fields = statFields(of: String(pid)) else { return false }
        return isRunning(state: fields[0])
    }

    /// Whether any process of the group `group` runs.
    public static func isGroupRunning(_ group: Int32) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard Int32(entry) != nil, let fields = statFields(of: entry), fields.count > 2 else { return false }
            return Int32(fields[2]) == group && isRunning(state: fields[0])
        }
    }

    /// The fields of `/proc/<pid>/stat` after "pid (comm)": state, ppid, pgrp, …
    private static func statFields(of pid: String) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        return fields.isEmpty ? nil : fields
    }

    private static func isRunning(state: Substring) -> Bool { state != "Z" && state != "X" }
}
