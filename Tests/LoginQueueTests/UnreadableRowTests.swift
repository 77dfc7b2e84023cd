import Foundation
import KakaoEmulator
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// A value in `login_jobs` that this version does not know is an error, never a default: a job
/// whose stage or last retry class does not read fails with `internal_error` without a call to
/// the provider, and a login whose failure code does not read is a refused read, not a guess.
/// The table's rules forbid such values, so each test lifts the rule on its own database first.
@Suite("Unreadable job rows")
struct UnreadableRowTests {
    @Test("an unknown stage fails the job with internal_error and never presents the code")
    func unknownStage() async throws {
        try await QueueHarness.run { harness in
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await Self.liftRules(harness.pool)
            try await harness.pool.execute("UPDATE login_jobs SET stage = 'exchnage' WHERE login_id = \(enqueued.loginID)")
            try await harness.withWorker {
                try await waitUntil("the job failed") { try await harness.job(enqueued.loginID, "state", as: String.self) == "failed" }
            }
            #expect(try await harness.job(enqueued.loginID, "failure_code", as: String.self) == "internal_error")
            #expect(harness.emulator.stats.tokenRequestsTotal == 0)
            // The read that follows says failed; it does not guess either.
            let result = try #require(try await harness.jobs.read(loginID: enqueued.loginID, readerToken: attempt.reader))
            #expect(result.failureCode == .internalError)
        }
    }

    @Test("an unknown retry class of the last error fails the job with internal_error")
    func unknownRetryClass() async throws {
        try await QueueHarness.run { harness in
            let (_, enqueued) = try await harness.enqueueLogin()
            try await harness.pool.execute(
                """
                UPDATE login_jobs SET errors = '[{"class": "sometimes", "provider_error": "KOE003"}]', provider_error = 'KOE003'
                WHERE login_id = \(enqueued.loginID)
                """
            )
            try await harness.withWorker {
                try await waitUntil("the job failed") { try await harness.job(enqueued.loginID, "state", as: String.self) == "failed" }
            }
            #expect(try await harness.job(enqueued.loginID, "failure_code", as: String.self) == "internal_error")
            #expect(harness.emulator.stats.tokenRequestsTotal == 0)
        }
    }

    @Test("an unknown failure code is refused as internal_error, not read as one")
    func unknownFailureCode() async throws {
        try await QueueHarness.run { harness in
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await Self.liftRules(harness.pool)
            try await harness.pool.execute(
                """
                UPDATE login_jobs SET state = 'failed', failure_code = 'gremlins', finished_at = now(), code_sealed = NULL,
                                      pkce_verifier_sealed = NULL
                WHERE login_id = \(enqueued.loginID)
                """
            )
            await #expect(throws: LoginQueueError(.internalError)) {
                try await harness.jobs.read(loginID: enqueued.loginID, readerToken: attempt.reader)
            }
        }
    }

    /// Drops login_jobs' CHECK constraints on this test's own database (a fresh clone).
    static func liftRules(_ pool: PostgresPool) async throws {
        try await pool.execute(
            """
            DO $$
            DECLARE rule record;
            BEGIN
                FOR rule IN SELECT conname FROM pg_constraint WHERE conrelid = 'login_jobs'::regclass AND contype = 'c' LOOP
                    EXECUTE format('ALTER TABLE login_jobs DROP CONSTRAINT %I', rule.conname);
                END LOOP;
            END
            $$
            """
        )
    }
}
