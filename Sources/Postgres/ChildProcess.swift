import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program to completion with `posix_spawn` and `waitpid`.
///
/// Not `Foundation.Process`: on Linux it notices a child's exit through a descriptor the child
/// inherits, so when the child starts a daemon that keeps it (`pg_ctl start` → `postgres`),
/// the exit is never reported. Here the child gets only stdin (`/dev/null`) and
/// stdout/stderr (a file); every other descriptor is closed, so a server started by it holds
/// none of ours (no client socket, no pipe). The blocking `waitpid` runs on a NIO thread-pool
/// thread, never on a cooperative one. The child also starts with default signal handlers and
/// an empty signal mask (a Swift process blocks some signals, and `pgbench -T` needs SIGALRM).
///
/// `package`: shared with the `kakao-login` executable (it runs `pgbench`), not public API.
package enum ChildProcess {
    /// Runs `arguments[0]` (an absolute path) with `arguments`, output (stdout and stderr) to
    /// `outputPath`, and returns its exit status (128 + signal number when killed).
    package static func run(_ arguments: [String], environment: [String: String], outputPath: String) async throws -> Int32 {
        let pid = try start(arguments, environment: environment, outputPath: outputPath)
        return try await waitForExit(pid, program: arguments[0])
    }

    /// Starts `arguments[0]` (an absolute path) as ``run(_:environment:outputPath:)`` does and
    /// returns its process id without waiting; pair it with ``waitForExit(_:program:)``.
    package static func start(_ arguments: [String], environment: [String: String], outputPath: String) throws -> pid_t {
        try spawn(arguments, environment: environment, outputPath: outputPath)
    }

    /// Waits (on a thread-pool thread) until the child `pid` ends and reaps it; returns its exit
    /// status (128 + signal number when killed).
    package static func waitForExit(_ pid: pid_t, program: String) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            NIOThreadPool.singleton.submit { _ in
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 {
                    if errno != EINTR {
                        continuation.resume(throwing: PostgresError(.clusterFailed, "waitpid failed for \(program)"))
                        return
                    }
                }
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
        }
    }

    private static func spawn(_ arguments: [String], environment: [String: String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeOtherDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv + [nil], envp + [nil])
        guard result == 0 else {
            throw PostgresError(.clusterFailed, "cannot run \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Closes every descriptor above 2 in the child: glibc's `posix_spawn_file_actions_addclosefrom_np`
    /// (2.34+, looked up at run time as Swift does not import it), else one close per open one.
    private static func closeOtherDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        #if canImport(Glibc)
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        #endif
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/dev/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }
}
