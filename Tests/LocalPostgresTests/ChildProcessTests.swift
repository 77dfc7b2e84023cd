import Foundation
import LocalPostgres
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``ChildProcess``: what a child gets (files, environment, signals, descriptors) and how it
/// ends (exit status, signals, the time limit, its process group).
@Suite("Child processes", .timeLimit(.minutes(2)))
struct ChildProcessTests {
    /// A file for a child's output, removed after `body`.
    private func withOutputFile<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        let path = NSTemporaryDirectory() + "kl-child-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    private func contents(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    @Test("the exit status, and both streams in one file")
    func exitStatusAndOutput() async throws {
        try await withOutputFile { path in
            let status = try await ChildProcess.run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], outputPath: path)
            #expect(status == 3)
            #expect(contents(path) == "out\nerr\n")
        }
    }

    @Test("standard error in a file of its own")
    func separateStandardError() async throws {
        try await withOutputFile { out in
            try await withOutputFile { err in
                let child = try ChildProcess(["/bin/sh", "-c", "echo out; echo err >&2"], outputPath: out, errorPath: err)
                #expect(try await child.waitForExit() == 0)
                #expect(contents(out) == "out\n")
                #expect(contents(err) == "err\n")
            }
        }
    }

    @Test("environment changes: a variable set, one removed, the rest inherited")
    func environment() async throws {
        try await withOutputFile { path in
            let status = try await ChildProcess.run(
                ["/usr/bin/env"],
                environment: ["KL_CHILD_TEST": "set here", "HOME": nil],
                outputPath: path
            )
            #expect(status == 0)
            let lines = Set(contents(path).split(separator: "\n").map(String.init))
            #expect(lines.contains("KL_CHILD_TEST=set here"))
            #expect(!lines.contains { $0.hasPrefix("HOME=") })
            #expect(lines.contains { $0.hasPrefix("PATH=") })
        }
    }

    @Test("a program that cannot be run is a processFailed error")
    func missingProgram() async throws {
        try await withOutputFile { path in
            let error = try #require(throws: LocalPostgresError.self) {
                try ChildProcess(["/nonexistent/program"], outputPath: path)
            }
            #expect(error.code == .processFailed)
            #expect(error.description.contains("/nonexistent/program"))
        }
    }

    #if os(Linux)
    @Test("the child starts with default signal handlers and an empty signal mask")
    func signalDisposition() async throws {
        try await withOutputFile { path in
            // grep itself reads its own status (a shell in between would reset its mask first).
            let status = try await ChildProcess.run(["/usr/bin/grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"], outputPath: path)
            #expect(status == 0)
            let lines = contents(path).split(separator: "\n").map(String.init)
            /// The standard signals (1 to 31) of a `Sig…:` mask; glibc keeps 32 and 33 for itself.
            func standardSignals(_ field: String) -> UInt64? {
                lines.first { $0.hasPrefix(field + ":") }.flatMap {
                    UInt64($0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16)
                }
                .map { $0 & 0x7FFF_FFFF }
            }
            #expect(standardSignals("SigBlk") == 0, "\(lines)")
            #expect(standardSignals("SigIgn") == 0, "\(lines)")
        }
    }

    @Test("the child holds no descriptor of ours")
    func noInheritedDescriptors() async throws {
        // A descriptor without close-on-exec, which a plain fork and exec would pass on.
        let inheritable = open("/dev/null", O_RDONLY)
        try #require(inheritable > 3)
        defer { close(inheritable) }
        try await withOutputFile { path in
            let status = try await ChildProcess.run(["/bin/ls", "/proc/self/fd"], outputPath: path)
            #expect(status == 0)
            // 0, 1, 2, and the folder ls reads.
            #expect(contents(path).split(separator: "\n") == ["0", "1", "2", "3"])
        }
    }
    #endif

    @Test("a signalled child ends with 128 + the signal; a reaped one is not signalled again")
    func signals() async throws {
        try await withOutputFile { path in
            let child = try ChildProcess(["/bin/sleep", "30"], outputPath: path)
            #expect(!child.hasExited)
            child.signal(SIGTERM)
            // The limit only turns a child that ignored SIGTERM into a failure instead of a hang.
            #expect(try await child.waitForExit(killingAfter: .seconds(30)) == (128 + SIGTERM, false))
            #expect(child.hasExited)
            child.signal(SIGKILL)
            #expect(try await child.waitForExit() == 128 + SIGTERM, "the status is kept")
        }
    }

    @Test("several tasks may wait for one child; each gets its status")
    func severalWaiters() async throws {
        try await withOutputFile { path in
            let child = try ChildProcess(["/bin/sh", "-c", "sleep 0.2; exit 7"], outputPath: path)
            async let first = child.waitForExit()
            async let second = child.waitForExit()
            #expect(try await [first, second] == [7, 7])
        }
    }

    @Test("a cancelled task still waits for the child to end")
    func cancellationDoesNotCutTheWaitShort() async throws {
        try await withOutputFile { path in
            let child = try ChildProcess(["/bin/sh", "-c", "sleep 0.2; exit 5"], outputPath: path)
            let waiting = Task { try await child.waitForExit() }
            waiting.cancel()
            #expect(try await waiting.value == 5)
        }
    }

    @Test("the time limit kills a child that outlives it, and only such a child")
    func timeLimit() async throws {
        try await withOutputFile { path in
            let hanging = try ChildProcess(["/bin/sleep", "30"], outputPath: path)
            let killed = try await hanging.waitForExit(killingAfter: .milliseconds(100))
            #expect(killed.status == 128 + SIGKILL)
            #expect(killed.killed)

            let quick = try ChildProcess(["/bin/sh", "-c", "exit 2"], outputPath: path)
            let done = try await quick.waitForExit(killingAfter: .seconds(60))
            #expect(done.status == 2)
            #expect(!done.killed)
        }
    }

    @Test("a child leading its own group: a signal reaches what it started")
    func processGroup() async throws {
        try await withOutputFile { path in
            let child = try ChildProcess(["/bin/sh", "-c", "sleep 30 & echo $!; wait"], outputPath: path, newProcessGroup: true)
            #expect(child.leadsProcessGroup)
            var grandchild: Int32?
            try await waitUntil("the shell printed its child's pid") {
                grandchild = contents(path).split(separator: "\n").first.flatMap { Int32($0) }
                return grandchild != nil
            }
            let sleeper = try #require(grandchild)
            #expect(ProcessLiveness.isGroupRunning(child.pid))
            child.signal(SIGTERM)
            #expect(try await child.waitForExit(killingAfter: .seconds(30)) == (128 + SIGTERM, false))
            try await waitUntil("the grandchild is gone") { !ProcessLiveness.isRunning(sleeper) }
            try await waitUntil("the group is gone") { !ProcessLiveness.isGroupRunning(child.pid) }
        }
    }
}
