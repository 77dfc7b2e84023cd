/// What can go wrong while driving a browser; every case says what to do or what was seen.
enum WebDriverError: Error, CustomStringConvertible {
    /// chromium or chromedriver (or python3 for the file server) is not installed.
    case toolMissing(String)
    /// A helper process exited or stayed silent before it said it was ready.
    case processNotReady(name: String, reason: String, log: String)
    /// chromedriver answered a command with a W3C error (`no such element`, `session not created`…).
    case command(command: String, status: Int, error: String, message: String)
    /// An answer that is not the JSON WebDriver promises.
    case malformedAnswer(command: String, detail: String)
    /// A wait-until condition did not hold before its timeout.
    case timedOut(waitingFor: String, lastObserved: String?)

    var description: String {
        switch self {
        case .toolMissing(let message):
            message
        case .processNotReady(let name, let reason, let log):
            "\(name) did not start: \(reason)" + (log.isEmpty ? "" : "\n--- \(name) output ---\n\(log)")
        case .command(let command, let status, let error, let message):
            "WebDriver \(command) failed with HTTP \(status) \(error): \(message)"
        case .malformedAnswer(let command, let detail):
            "WebDriver \(command) answered something unexpected: \(detail)"
        case .timedOut(let what, let last):
            "timed out waiting for \(what)" + (last.map { " (last seen: \($0))" } ?? "")
        }
    }

    /// True for the W3C error `no such element`.
    var isNoSuchElement: Bool {
        if case .command(_, _, let error, _) = self { error == "no such element" } else { false }
    }
}
