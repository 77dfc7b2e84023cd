import Foundation
import LocalPostgres
import Synchronization
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A helper process of a test (chromedriver, a static file server) that never outlives the test.
///
/// The helper runs under a small `/bin/sh` watchdog, a ``ChildProcess`` that leads a process
/// group of its own: ``stop()`` signals the whole group, so a browser started by chromedriver
/// goes with it, and the watchdog ends the group by itself when the test process dies without
/// stopping it (a crash, a `kill -9`). Readiness is read from the helper's standard output: it
/// must print the port it listens on.
final class HelperProcess: Sendable {
    /// A name for messages, e.g. `chromedriver`.
    let name: String
    private let watchdog: ChildProcess
    /// The helper's standard output (where it says its port).
    private let outputPath: String
    /// The helper's standard error.
    private let logPath: String
    private let stopped = Mutex(false)

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

    private init(name: String, watchdog: ChildProcess, outputPath: String, logPath: String) {
        self.name = name
        self.watchdog = watchdog
        self.outputPath = outputPath
        self.logPath = logPath
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
        readyPort: @Sendable (String) -> Int?
    ) async throws -> (process: HelperProcess, port: Int) {
        let files = NSTemporaryDirectory() + "kakao-login-\(name)-\(UUID().uuidString)"
        let watchdog: ChildProcess
        do {
            watchdog = try ChildProcess(
                ["/bin/sh", "-c", watchdogScript, "watchdog", String(getpid()), executable.path] + arguments,
                outputPath: files + ".out",
                errorPath: files + ".log",
                newProcessGroup: true
            )
        } catch {
            throw WebDriverError.processNotReady(name: name, reason: "cannot run \(executable.path): \(error)", log: "")
        }
        let helper = HelperProcess(name: name, watchdog: watchdog, outputPath: files + ".out", logPath: files + ".log")

        let clock = ContinuousClock()
        let deadline = clock.now + readyTimeout
        while true {
            let printed = helper.output
            if let port = readyPort(printed) { return (helper, port) }
            let reason: String
            if watchdog.hasExited {
                reason = "it exited before it was ready"
            } else if clock.now >= deadline {
                reason = "no port printed within \(readyTimeout)"
            } else {
                do {
                    try await Task.sleep(for: .milliseconds(20))
                    continue
                } catch {
                    await helper.stop()
                    throw error
                }
            }
            let log = helper.logTail()
            await helper.stop()
            throw WebDriverError.processNotReady(name: name, reason: reason, log: printed + log)
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

    /// What the helper printed on standard output so far.
    private var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// The last part of what the helper wrote to standard error (for failure messages).
    func logTail(maxBytes: Int = 4096) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "" }
        return String(decoding: data.suffix(maxBytes), as: UTF8.self)
    }

    /// Stops the helper and everything it started: SIGTERM to the group, then SIGKILL if any
    /// member is still alive after a grace period. Safe to call more than once.
    func stop() async {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        let watchdog = self.watchdog
        await Cleanup.run {
            watchdog.signal(SIGTERM)
            if await !Self.waitForGroupExit(watchdog, timeout: .seconds(10)) {
                watchdog.signal(SIGKILL)
                _ = await Self.waitForGroupExit(watchdog, timeout: .seconds(5))
            }
        }
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Polls until the watchdog has ended and no process of its group runs; false on timeout.
    private static func waitForGroupExit(_ watchdog: ChildProcess, timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        func gone() -> Bool { watchdog.hasExited && !ProcessLiveness.isGroupRunning(watchdog.pid) }
        while clock.now < deadline {
            if gone() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return gone()
    }
}
