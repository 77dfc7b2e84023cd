import ArgumentParser
import Foundation
import LoginQueue

/// `kakao-login queue cancel ID`: fails a queued login with `canceled` (its reader hears it at
/// once); refuses a running job, a finished one and an account deletion. The same statement as
/// `sql/ops/cancel_queued_job.sql`.
struct QueueCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a queued login, by its login_id.")

    @OptionGroup var job: QueueOperationsCommand.JobID

    func run() async throws {
        let id = try job.id
        let canceled = try await QueueOperationsCommand.run("queue cancel") { operations, _ in try await operations.cancel(publicID: id) }
        let name = id.uuidString.lowercased()
        switch canceled {
        case .canceled: print("canceled \(name): it failed with canceled, and a waiting frontend was told")
        case .notFound: try QueueOperationsCommand.refuse("queue cancel", "no job \(name)")
        case .refused(let reason): try QueueOperationsCommand.refuse("queue cancel", "refused: \(reason)")
        }
    }
}
