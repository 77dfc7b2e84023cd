import ArgumentParser
import Foundation
import LoginQueue

/// `kakao-login queue retry ID`: runs a failed job again (``QueueOperations/retry(publicID:)``):
/// a login only when its code was never sent, a deletion always. Prints what it did, or why it
/// refused; exits 1 on a refusal. The same statement as `sql/ops/requeue_failed_job.sql`.
struct QueueRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Run a failed login (never sent) or account deletion again, by its login_id or deletion_id."
    )

    @OptionGroup var job: QueueOperationsCommand.JobID

    func run() async throws {
        let id = try job.id
        let retried = try await QueueOperationsCommand.run("queue retry") { operations, _ in try await operations.retry(publicID: id) }
        let name = id.uuidString.lowercased()
        switch retried {
        case .requeued(let kind): print("requeued \(kind) \(name): a worker runs it within a second")
        case .notFound: try QueueOperationsCommand.refuse("queue retry", "no job \(name)")
        case .refused(let reason): try QueueOperationsCommand.refuse("queue retry", "refused: \(reason)")
        }
    }
}

extension QueueOperationsCommand {
    /// One line on standard error, exit 1: a refusal changed nothing.
    static func refuse(_ command: String, _ line: String) throws -> Never {
        CommandErrors.printError("kakao-login \(command): \(line)")
        throw ExitCode.failure
    }
}
