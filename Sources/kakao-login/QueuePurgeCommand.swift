import ArgumentParser
import Foundation
import LoginQueue

/// `kakao-login queue purge --older-than DURATION`: deletes finished jobs and attempts older
/// than DURATION (`90m`, `12h`, `7d`; at least an hour), 5,000 rows per statement. Failed account
/// deletions stay for their retry. The same statements as `sql/ops/purge_old_jobs.sql`.
struct QueuePurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete finished jobs and attempts older than a duration (at least 1h)."
    )

    @Option(name: .customLong("older-than"), help: "How old a finished job must be: a number and s, m, h or d (e.g. 12h, 7d).")
    var olderThan: String

    func validate() throws {
        guard let age = Self.duration(olderThan) else {
            throw ValidationError("--older-than must be a number and s, m, h or d, e.g. 12h or 7d (got \(olderThan))")
        }
        guard age >= QueueOperations.minimumPurgeAge else {
            throw ValidationError("--older-than must be at least 1h: a late re-post of a code must still find its job")
        }
    }

    func run() async throws {
        guard let age = Self.duration(olderThan) else { throw ValidationError("--older-than is malformed") }
        let (jobs, attempts) = try await QueueOperationsCommand.run("queue purge") { operations, _ in
            try await operations.purge(olderThan: age)
        }
        print(
            "purged \(jobs) finished job\(jobs == 1 ? "" : "s") and \(attempts) attempt\(attempts == 1 ? "" : "s") older than \(olderThan)"
        )
    }

    /// `90m`, `12h`, `7d`, `3600s` as a duration; nil for anything else.
    static func duration(_ text: String) -> Duration? {
        guard let unit = text.last, let number = Int64(text.dropLast()), number > 0, number < 100_000_000 else { return nil }
        let seconds: Int64? =
            switch unit {
            case "s": number
            case "m": number * 60
            case "h": number * 3600
            case "d": number * 86400
            default: nil
            }
        return seconds.map { .seconds($0) }
    }
}
