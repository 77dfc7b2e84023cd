import ArgumentParser
import Foundation
import LoginQueue
import Postgres

/// `kakao-login queue stuck`: running jobs whose lease expired (their worker died or lost the
/// database; any worker takes them again) and the oldest runnable jobs, with the pauses in force.
/// The same queries as `sql/ops/stuck_jobs.sql`. Reads only.
struct QueueStuckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stuck",
        abstract: "List jobs whose lease expired and the oldest runnable jobs (reads only)."
    )

    func run() async throws {
        let (expired, oldest, pauses) = try await QueueOperationsCommand.run("queue stuck") { operations, pool in
            let expired = try await pool.query(
                """
                SELECT login_id, kind, provider, stage, attempt, locked_by,
                       round(extract(epoch FROM now() - lease_expires_at)::numeric, 1)::text AS expired_for_s,
                       exchange_sent_at IS NOT NULL AS code_maybe_sent
                FROM login_jobs WHERE state = 'running' AND lease_expires_at < now()
                ORDER BY lease_expires_at LIMIT 50
                """
            ).map {
                try $0.text(columns: ["login_id", "kind", "provider", "stage", "attempt", "locked_by", "expired_for_s", "code_maybe_sent"])
            }
            let oldest = try await pool.query(
                """
                SELECT login_id, kind, provider, stage, attempt, round(extract(epoch FROM now() - created_at)::numeric, 1)::text AS age_s,
                       provider_error
                FROM login_jobs WHERE state = 'queued' AND run_at <= now()
                ORDER BY run_at, id LIMIT 50
                """
            ).map { try $0.text(columns: ["login_id", "kind", "provider", "stage", "attempt", "age_s", "provider_error"]) }
            return (expired, oldest, try await operations.pauses())
        }
        for pause in pauses {
            print(
                "PAUSED \(pause.provider == "*" ? "every provider" : pause.provider) since \(pause.pausedAt) by \(pause.pausedBy)\(pause.reason.map { ": \($0)" } ?? "")"
            )
        }
        print(expired.isEmpty ? "no running job's lease has expired" : "running, lease expired (any worker takes them again):")
        for row in expired { print("  " + row.map { "\($0.0)=\($0.1 ?? "-")" }.joined(separator: " ")) }
        print(oldest.isEmpty ? "no runnable job is waiting" : "oldest runnable jobs:")
        for row in oldest { print("  " + row.map { "\($0.0)=\($0.1 ?? "-")" }.joined(separator: " ")) }
    }
}
