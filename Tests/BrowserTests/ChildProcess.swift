import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A helper process of a test (chromedriver, a static file server) that never outlives the test.
///
/// The helper runs under a small `/bin/sh` watchdog in a process group of its own (Foundation's
/// `Process` starts every child as a group leader): ``stop()`` signals the whole group, so a
/// browser started by chromedriver goes with it, and the watchdog ends the group by itself when
/// the test process dies without stopping it (a crash, a `kill -9`).
/// Readiness is read from the helper's standard output: it must print the port it listens on.
final class ChildProcess: Sendable {
    /// A name for messages, e.g. `chromedriver`.
    let name: String
    /// The watchdog's pid; also the id of the process group of the helper and its children.
    let processGroup: pid_t
    /// True when the helper leads its own group (never signal our own group).
    private let ownsGroup: Bool
    private let logFile: URL
    private let state: Mutex<State>

    private struct State {
        var process: Process?
        var output: FileHandle?
        var stopped = false
    }

    /// Kills the process group when the watched pid (the test process) or the helper is gone.
    private static let watchdogScript = """
        watched=$1; shift
        "$@" &
        child=$!
        trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM INT HUP
        while kill -0 "$watched" 2>/dev/null && kill -0 "$child" 2>/dev/null; do
            sleep 1 & wait $!
        done
        kill -TERM 0 2>/dev/null
        wait
        """

    private init(name: String, processGroup: pid_t, ownsGroup: Bool, logFile: URL, process: Process, output: FileHandle) {
        self.name = name
        self.processGroup = processGroup
        self.ownsGroup = ownsGroup
        self.logFile = logFile
        self.state = Mutex(State(process: process, output: output))
    }

    /// Starts `executable` and waits until its standard output says which port it listens on.
    /// - Parameters:
    ///   - readyPort: finds the port in everything printed so far; nil until it is there.
    /// - Returns: the running helper and its port. On any failure the helper is stopped first.
    static func launch(
        name: String,
        executable: URL,
        arguments: [String],
        readyTimeout: Duration = .seconds(30),
        readyPort: @escaping @Sendable (String) -> Int?
    ) async throws -> (process: ChildProcess, port: Int) {
        let logFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("kakao-login-\(name)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil),
            let log = FileHandle(forWritingAtPath: logFile.path)
        else {
            throw WebDriverError.processNotReady(name: name, reason: "cannot create \(logFile.path)", log: "")
        }
        defer { try? log.close() }

        let output = Pipe()
        let process = Process()
        let command = ["/bin/sh", "-c", watchdogScript, "watchdog", String(getpid()), executable.path] + arguments
        #if os(Linux)
        // A child of Foundation's Process inherits the signal mask of the thread that starts it,
        // and Swift's concurrency threads block SIGTERM, SIGINT, SIGHUP…: such a child ignores
        // SIGTERM. coreutils' env resets every signal to its default (and unblocks it) first.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal"] + command
        #else
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        #endif
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = log

        let (chunks, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(256))
        let reader = output.fileHandleForReading
        reader.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
            } else {
                continuation.yield(String(decoding: data, as: UTF8.self))
            }
        }
        do {
            try process.run()
        } catch {
            reader.readabilityHandler = nil
            try? FileManager.default.removeItem(at: logFile)
            throw WebDriverError.processNotReady(name: name, reason: "cannot run \(executable.path): \(error)", log: "")
        }
        // Foundation closes the parent's copy of the pipe's write end once the child runs, so
        // the stream ends when the helper (and its watchdog) exit.

        let pid = process.processIdentifier
        let child = ChildProcess(
            name: name,
            processGroup: pid,
            ownsGroup: getpgid(pid) == pid && pid != getpgrp(),
            logFile: logFile,
            process: process,
            output: reader
        )

        enum Outcome: Sendable {
            case ready(Int)
            case exited(String)
            case timedOut
        }
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                var printed = ""
                for await chunk in chunks {
                    printed += chunk
                    if let port = readyPort(printed) { return .ready(port) }
                }
                return .exited(printed)
            }
            group.addTask {
                try? await Task.sleep(for: readyTimeout)
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
        switch outcome {
        case .ready(let port):
            return (child, port)
        case .exited(let printed):
            let log = child.logTail()
            await child.stop()
            throw WebDriverError.processNotReady(name: name, reason: "it exited before it was ready", log: printed + log)
        case .timedOut:
            let log = child.logTail()
            await child.stop()
            throw WebDriverError.processNotReady(name: name, reason: "no port printed within \(readyTimeout)", log: log)
        }
    }

    /// Finds the number that follows `marker` in a helper's output, once the whole number is there.
    static func port(after marker: String) -> @Sendable (String) -> Int? {
        { text in
            guard let range = text.range(of: marker) else { return nil }
            let rest = text[range.upperBound...]
            let digits = rest.prefix(while: \.isASCII).prefix(while: \.isNumber)
            guard !digits.isEmpty, digits.endIndex < rest.endIndex else { return nil }
            return Int(digits)
        }
    }

    /// The last part of what the helper wrote to standard error (for failure messages).
    func logTail(maxBytes: Int = 4096) -> String {
        guard let data = FileManager.default.contents(atPath: logFile.path) else { return "" }
        return String(decoding: data.suffix(maxBytes), as: UTF8.self)
    }

    /// Stops the helper and everything it started: SIGTERM to the group, then SIGKILL if any
    /// member is still alive after a grace period. Safe to call more than once.
    func stop() async {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        let group = processGroup
        let ownsGroup = ownsGroup
        await Cleanup.run {
            Self.signal(group, SIGTERM, wholeGroup: ownsGroup)
            if await !Self.waitForExit(of: group, wholeGroup: ownsGroup, timeout: .seconds(10)) {
                Self.signal(group, SIGKILL, wholeGroup: ownsGroup)
                _ = await Self.waitForExit(of: group, wholeGroup: ownsGroup, timeout: .seconds(5))
            }
        }
        state.withLock { state in
            state.output?.readabilityHandler = nil
            state.output = nil
            state.process = nil
        }
        try? FileManager.default.removeItem(at: logFile)
    }

    private static func signal(_ group: pid_t, _ signal: Int32, wholeGroup: Bool) {
        _ = kill(wholeGroup ? -group : group, signal)
    }

    /// Polls until no live (non-zombie) process is left in the group; false on timeout.
    private static func waitForExit(of group: pid_t, wholeGroup: Bool, timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if !isAlive(group, wholeGroup: wholeGroup) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return !isAlive(group, wholeGroup: wholeGroup)
    }

    /// True while a process of the group (or the process itself) exists and is not a zombie.
    private static func isAlive(_ group: pid_t, wholeGroup: Bool) -> Bool {
        #if os(Linux)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
            return kill(wholeGroup ? -group : group, 0) == 0
        }
        for entry in entries {
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { continue }
            // After "pid (comm)": state, ppid, pgrp, …
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z" else { continue }
            if wholeGroup ? pid_t(fields[2]) == group : pid == group { return true }
        }
        return false
        #else
        return kill(wholeGroup ? -group : group, 0) == 0
        #endif
    }
}
