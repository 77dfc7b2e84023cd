import Foundation

/// `kakao-login emulator …` as a child process: started, its port read from its log line
/// (`emulator.port=N`), stopped with SIGTERM.
public struct EmulatorProcess {
    public let process: Process
    /// What the process printed until it reported its port.
    public let output: String
    public let port: Int

    /// `KAKAO_LOGIN_BIN` (set by scripts/test), else the `kakao-login` next to the test bundle.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["KAKAO_LOGIN_BIN"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("kakao-login").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("kakao-login")
    }

    /// Runs the binary with `arguments` to its end; its exit status and everything it printed.
    public static func runToEnd(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let (process, pipe) = try launch(arguments)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// Starts the binary and waits for its port; throws with the output when it ends first.
    public static func start(_ arguments: [String]) throws -> EmulatorProcess {
        let (process, pipe) = try launch(arguments)
        var seen = ""
        let handle = pipe.fileHandleForReading
        while true {
            let chunk = handle.availableData
            guard !chunk.isEmpty else { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: #"emulator\.port=(\d+)"#, options: .regularExpression),
                let port = Int(seen[range].split(separator: "=")[1])
            {
                return EmulatorProcess(process: process, output: seen, port: port)
            }
        }
        if process.isRunning { process.terminate() }
        throw EmulatorProcessError(output: seen)
    }

    private static func launch(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        return (process, pipe)
    }

    /// Sends SIGTERM and waits; the exit status.
    public func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// The process ended without reporting a port.
public struct EmulatorProcessError: Error, CustomStringConvertible {
    public let output: String
    public var description: String { "the emulator reported no port; its output: \(output)" }
}
