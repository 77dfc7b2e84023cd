import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CPU time (user + system) a process has used, from `/proc/PID/stat` (Linux).
enum ProcessCPU {
    /// Seconds used by `pid`; with `tree`, also by its living descendants and by the children it
    /// has reaped (a server's exited workers), so a whole PostgreSQL server counts from its
    /// postmaster. Nil when the process is gone or `/proc` is not there.
    static func seconds(pid: Int32, tree: Bool = false) -> Double? {
        guard let own = fields(of: pid) else { return nil }
        var ticks = own.ticks + (tree ? own.reapedTicks : 0)
        if tree {
            for descendant in descendants(of: pid) { ticks += fields(of: descendant)?.ticks ?? 0 }
        }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// What is read from one `/proc/PID/stat` line, in clock ticks.
    struct Fields: Equatable {
        var parent: Int32
        /// utime + stime: the process's own CPU time.
        var ticks: Int
        /// cutime + cstime: the CPU time of the children it has waited for.
        var reapedTicks: Int

        /// Fields 4 (ppid), 14–15 (utime, stime) and 16–17 (cutime, cstime), counted after the
        /// command name, which may itself hold spaces and parentheses. Nil for a malformed line.
        init?(stat text: String) {
            guard let end = text.lastIndex(of: ")"), text.index(after: end) < text.endIndex else { return nil }
            let values = text[text.index(after: end)...].split(separator: " ")
            guard values.count > 14, let parent = Int32(values[1]) else { return nil }
            let number = { (index: Int) in Int(values[index]) ?? 0 }
            self.parent = parent
            self.ticks = number(11) + number(12)
            self.reapedTicks = number(13) + number(14)
        }
    }

    private static func fields(of pid: Int32) -> Fields? {
        (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)).flatMap(Fields.init(stat:))
    }

    private static func descendants(of root: Int32) -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        var children: [Int32: [Int32]] = [:]
        for pid in pids {
            if let parent = fields(of: pid)?.parent { children[parent, default: []].append(pid) }
        }
        var found: [Int32] = []
        var next = children[root] ?? []
        while let pid = next.popLast() {
            found.append(pid)
            next += children[pid] ?? []
        }
        return found
    }
}
