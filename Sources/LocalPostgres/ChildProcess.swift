import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid`: the one way this
/// package runs another program (PostgreSQL's tools, `pgbench`, `kakao-login` and the browser
/// tests' helpers in tests).
///
/// Not `Foundation.Process`: on Linux it notices a child's exit through a descriptor the child
/// inherits, so when the child starts a daemon that keeps it (`pg_ctl start` → `postgres`), or a
/// parallel test's child does, the exit is reported late or never; and its children inherit the
/// starting thread's signal mask (Swift's threads block SIGTERM and SIGINT, `pgbench -T` needs
/// SIGALRM). Here the child reads `/dev/null`, writes to files, holds no other descriptor of
/// ours (a server it starts keeps no socket or pipe of ours open), and starts with default
/// signal handlers and an empty signal mask.
///
/// Waiting blocks a thread of its own in `waitid`, never a cooperative one, and is not cut short
/// by cancellation: clean-up code can wait for a `pg_ctl stop`. A child that was never waited
/// for is killed when its `ChildProcess` goes away.
public final class ChildProcess: Sendable {
    /// The child's process id (also its process group's id when it leads one).
    public let pid: pid_t
    /// The program (`arguments[0]`), for messages.
    public let program: String
    /// Whether the child leads a process group of its own, which ``signal(_:)`` signals whole.
    public let leadsProcessGroup: Bool
    private let state = Mutex(State())

    private struct State {
        /// Set once the child is reaped (or waiting for it failed).
        var outcome: Result<Int32, LocalPostgresError>?
        var reaperStarted = false
        var waiters: [CheckedContinuation<Int32, any Error>] = []
    }

    /// Starts `arguments[0]` (an absolute path) with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: changes to this process's environment (a `nil` value removes a variable).
    ///   - outputPath: the file standard output goes to (created or truncated, mode 0600).
    ///   - errorPath: the file standard error goes to; `nil` sends it to `outputPath` too.
    ///   - newProcessGroup: start a process group led by the child, so that ``signal(_:)``
    ///     reaches everything it starts (a browser started by chromedriver).
    public init(
        _ arguments: [String],
        environment: [String: String?] = [:],
        outputPath: String,
        errorPath: String? = nil,
        newProcessGroup: Bool = false
    ) throws {
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        program = arguments[0]
        leadsProcessGroup = newProcessGroup
        pid = try Self.spawn(
            arguments,
            environment: merged,
            outputPath: outputPath,
            errorPath: errorPath,
            newProcessGroup: newProcessGroup
        )
    }

    /// Runs `arguments[0]` (an absolute path) to its end, standard output and standard error to
    /// `outputPath`, and returns its exit status (128 + signal number when killed).
    public static func run(_ arguments: [String], environment: [String: String?] = [:], outputPath: String) async throws -> Int32 {
        try await ChildProcess(arguments, environment: environment, outputPath: outputPath).waitForExit()
    }

    /// Whether the child has ended (it is reaped here if it has).
    public var hasExited: Bool {
        state.withLock { state in
            reapIfExited(&state)
            return state.outcome != nil
        }
    }

    /// Sends `signal` to the child, or to its whole group when it leads one (also after the
    /// child itself ended: a group lives on while a member does). Nothing once a child without a
    /// group of its own was reaped, so a recycled process id is never hit.
    public func signal(_ signal: Int32) {
        state.withLock { state in
            reapIfExited(&state)
            if leadsProcessGroup {
                _ = kill(-pid, signal)
            } else if state.outcome == nil {
                _ = kill(pid, signal)
            }
        }
    }

    /// Waits until the child ends and returns its exit status (128 + signal number when killed).
    public func waitForExit() async throws -> Int32 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            let (outcome, startReaper) = state.withLock { state -> (Result<Int32, LocalPostgresError>?, Bool) in
                reapIfExited(&state)
                if let outcome = state.outcome { return (outcome, false) }
                state.waiters.append(continuation)
                defer { state.reaperStarted = true }
                return (nil, !state.reaperStarted)
            }
            if let outcome { continuation.resume(with: outcome) }
            if startReaper { Thread.detachNewThread { self.reap() } }
        }
    }

    /// Waits as ``waitForExit()`` does, but kills the child (SIGKILL, to its group when it leads
    /// one) if it still runs after `limit`, or as soon as the waiting task is cancelled.
    ///
    /// - Returns: the exit status, and whether the child had to be killed.
    public func waitForExit(killingAfter limit: Duration) async throws -> (status: Int32, killed: Bool) {
        try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask { try await self.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            // Both tasks always end: the first with the status, the second at the limit, on
            // cancellation, or when cancelled below once the status is in.
            var status: Int32 = 0
            var killed = false
            for try await finished in group {
                if let finished {
                    status = finished
                    group.cancelAll()
                } else if !hasExited {
                    signal(SIGKILL)
                    killed = true
                }
            }
            return (status, killed)
        }
    }

    deinit {
        state.withLock { state in
            reapIfExited(&state)
            if state.outcome == nil { _ = kill(leadsProcessGroup ? -pid : pid, SIGKILL) }
        }
    }

    // MARK: - reaping

    /// Runs on a thread of its own: waits (without reaping) until the child ends, then reaps it
    /// under the lock that ``signal(_:)`` takes, and resumes every waiter.
    private func reap() {
        var info = siginfo_t()
        var failure: Int32 = 0
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 {
            if errno != EINTR {
                failure = errno
                break
            }
        }
        let (outcome, waiters) = state.withLock { state in
            reapIfExited(&state)
            let outcome =
                state.outcome
                ?? .failure(LocalPostgresError(.processFailed, "waiting for \(program) failed: \(String(cString: strerror(failure)))"))
            state.outcome = outcome
            defer { state.waiters.removeAll() }
            return (outcome, state.waiters)
        }
        for waiter in waiters { waiter.resume(with: outcome) }
    }

    /// Reaps the child if it has ended, without blocking. Called with the lock held.
    private func reapIfExited(_ state: inout State) {
        guard state.outcome == nil else { return }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return }
        let signal = status & 0x7f
        state.outcome = .success(signal == 0 ? (status >> 8) & 0xff : 128 + signal)
    }

    // MARK: - spawning

    private static func spawn(
        _ arguments: [String],
        environment: [String: String],
        outputPath: String,
        errorPath: String?,
        newProcessGroup: Bool
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let errorPath {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
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
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = arguments.map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv + [nil], envp + [nil])
        guard result == 0 else {
            throw LocalPostgresError(.processFailed, "cannot run \(arguments[0]): \(String(cString: strerror(result)))")
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
