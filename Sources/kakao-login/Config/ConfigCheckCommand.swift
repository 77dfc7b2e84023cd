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
            others, a DATABASE_URL libpq cannot parse. Then warns (⚠, exit 0 unless --strict) about \
            valid settings that weaken the service: LOGIN_REQUIRE_STATE=false, scopes without openid, \
            a trusted proxy of 0.0.0.0/0 or ::/0, SameSite=None on plain http, plain-http CORS origins, \
            LOGIN_ALLOW_EMULATOR. No secret is ever printed.
            """
    )

    @Option(help: "The process to check for: api, worker, dev, or all (api and worker).")
    var role: ConfigRole = .all

    @Flag(help: "Count the warnings (settings that weaken the service) as problems.")
    var strict = false

    func run() async throws {
        let (settings, readerProblems) = Settings.load(environment: ProcessInfo.processInfo.environment)
        let problems = await ConfigCheck(settings: settings, readerProblems: readerProblems).problems(for: role)
        let warnings = settings.warnings(for: role)
        for warning in warnings {
            CommandErrors.printError("  ⚠ \(warning)")
        }
        guard !problems.isEmpty || (strict && !warnings.isEmpty) else {
            let noted = warnings.isEmpty ? "" : " (\(warnings.count) warning\(warnings.count == 1 ? "" : "s"))"
            print("config check (\(role.rawValue)): ok\(noted)")
            return
        }
        for problem in problems {
            CommandErrors.printError("  ✗ \(problem)")
        }
        let count = problems.count + (strict ? warnings.count : 0)
        CommandErrors.printError("config check (\(role.rawValue)): \(count) problem\(count == 1 ? "" : "s")")
        throw ExitCode.failure
    }
}
