import ArgumentParser
import Foundation

/// `kakao-login config check [--role api|worker|dev|all]`: validates every setting (from the
/// environment and `<NAME>_FILE` files, as the servers read them) and lists every problem at
/// once; exit status 0 when there is none, 1 otherwise.
struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the settings for a role and list every problem; exit 1 if there is any.",
        discussion: """
            Checks what the server would check at start, without connecting or listening: missing \
            settings, numbers out of range, redirect URIs that are not absolute http(s) URLs, plain \
            http Kakao URLs outside loopback, malformed LOGIN_SEALING_KEYS, a JWT key folder that \
            cannot be read or holds a key that is not ES256, key and secret files readable by \
            others, a DATABASE_URL libpq cannot parse. No secret is ever printed.
            """
    )

    @Option(help: "The process to check for: api, worker, dev, or all (api and worker).")
    var role: ConfigRole = .all

    func run() async throws {
        let (settings, readerProblems) = Settings.load(environment: ProcessInfo.processInfo.environment)
        let problems = await ConfigCheck(settings: settings, readerProblems: readerProblems).problems(for: role)
        guard !problems.isEmpty else {
            print("config check (\(role.rawValue)): ok")
            return
        }
        for problem in problems {
            CommandErrors.printError("  ✗ \(problem)")
        }
        CommandErrors.printError(
            "config check (\(role.rawValue)): \(problems.count) problem\(problems.count == 1 ? "" : "s")"
        )
        throw ExitCode.failure
    }
}
