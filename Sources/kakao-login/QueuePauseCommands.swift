import ArgumentParser
import Foundation
import LoginQueue

/// `kakao-login queue pause [--provider P] [--reason TEXT]`: workers stop claiming that
/// provider's jobs (every provider's without `--provider`) within about a second; jobs already
/// running finish. The same statement as `sql/ops/pause_queue.sql`.
struct QueuePauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Stop workers claiming jobs (of one provider, or all).")

    @OptionGroup var only: QueueProviderOption

    @Option(help: "Why, for the next operator (at most 200 characters).")
    var reason: String?

    func validate() throws {
        if let reason, reason.count > 200 { throw ValidationError("--reason is longer than 200 characters") }
    }

    func run() async throws {
        let (provider, reason) = (only.provider ?? "*", self.reason)
        let (pause, new) = try await QueueOperationsCommand.run("queue pause") { operations, _ in
            try await operations.pause(provider: provider, reason: reason)
        }
        let what = provider == "*" ? "every provider" : provider
        let style = Date.ISO8601FormatStyle(timeZone: .gmt)
        if new {
            print("paused \(what): workers stop claiming its jobs within a second; running jobs finish")
        } else {
            print("\(what) was paused already, since \(pause.pausedAt.formatted(style)) by \(pause.pausedBy)")
        }
    }
}

/// `kakao-login queue resume [--provider P]`: lifts the pause of P, or every pause, and wakes the
/// workers. The same statement as `sql/ops/resume_queue.sql`.
struct QueueResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Lift a pause (of one provider, or all).")

    @OptionGroup var only: QueueProviderOption

    func run() async throws {
        let provider = only.provider
        let lifted = try await QueueOperationsCommand.run("queue resume") { operations, _ in try await operations.resume(provider: provider)
        }
        if lifted.isEmpty {
            print(provider.map { "\($0) was not paused" } ?? "nothing was paused")
        } else {
            let names = lifted.map { $0.provider == "*" ? "every provider" : $0.provider }
            print("resumed \(names.joined(separator: ", ")): workers claim again now")
        }
    }
}

/// `--provider P` of `queue pause` and `queue resume`: a provider name as `login_jobs.provider`
/// stores it; absent means every provider.
struct QueueProviderOption: ParsableArguments {
    @Option(
        help: "The provider as login_jobs.provider stores it (kakao, google, kakao_emulator, google_emulator, account); all when absent."
    )
    var provider: String?

    func validate() throws {
        guard let provider, provider == "*" || !QueueOperations.pausableProviders.contains(provider) else { return }
        let known = QueueOperations.pausableProviders.dropFirst().joined(separator: ", ")
        throw ValidationError("unknown provider \(provider): one of \(known)")
    }
}
