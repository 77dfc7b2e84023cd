import ArgumentParser
import Foundation
import Postgres

/// How subcommands report failure: one line on standard error naming the problem (never a
/// password or a parameter value: ``PostgresError`` descriptions are built that way), then
/// exit code 1. No stack trace.
enum CommandErrors {
    /// Runs `body`; on error prints `kakao-login <command>: error: <description>` and exits 1.
    static func reporting<Result>(
        _ command: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            return try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch is CancellationError {
            printError("kakao-login \(command): interrupted")
            throw ExitCode(130)
        } catch {
            printError("kakao-login \(command): error: \(describe(error))")
            throw ExitCode.failure
        }
    }

    /// A one-line description of any error.
    static func describe(_ error: any Error) -> String {
        let text = (error as? PostgresError)?.description ?? String(describing: error)
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
