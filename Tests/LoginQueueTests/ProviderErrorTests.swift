import Foundation
import KakaoEmulator
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// A failed job's `provider_error` is the one of the failure's own cause, never an earlier
/// attempt's left behind.
@Suite("Provider errors")
struct ProviderErrorTests {
    @Test("a job that fails inside the worker after a Kakao retry shows no provider error")
    func internalErrorAfterRetry() async throws {
        try await QueueHarness.run { harness in
            let (attempt, enqueued) = try await Self.retriedAtKakao(harness)
            // A code that no longer opens: the next attempt fails before calling Kakao.
            try await harness.pool.execute("UPDATE login_jobs SET code_sealed = '\\x00'::bytea WHERE login_id = \(enqueued.loginID)")
            let errorsBefore = try await harness.job(enqueued.loginID, "errors", as: String.self)
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                guard case .failed(.internalError, nil, _) = result else {
                    Issue.record("got \(result)")
                    return
                }
            }
            #expect(try await harness.job(enqueued.loginID, "provider_error", as: String?.self) == nil)
            #expect(try await harness.job(enqueued.loginID, "errors", as: String.self) == errorsBefore)
        }
    }

    @Test("a job that reaches its deadline after a Kakao retry shows that retry's provider error")
    func deadlineAfterRetry() async throws {
        try await QueueHarness.run { harness in
            let (attempt, enqueued) = try await Self.retriedAtKakao(harness)
            let lastError = try await harness.job(enqueued.loginID, "provider_error", as: String?.self)
            try await harness.pool.execute("UPDATE login_jobs SET deadline_at = now() WHERE login_id = \(enqueued.loginID)")
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                guard case .failed(.kakaoUnavailable, lastError, _) = result else {
                    Issue.record("got \(result), expected kakao_unavailable with \(lastError ?? "no provider error")")
                    return
                }
            }
        }
    }

    /// Enqueues a login whose first attempt gets a retryable error from Kakao, and stops the
    /// worker with the job queued again, its provider error set.
    private static func retriedAtKakao(_ harness: QueueHarness) async throws -> (StartedAttempt, EnqueuedLogin) {
        try harness.faults(KakaoEmulatorFaults(errorRate: 1))
        let (attempt, enqueued) = try await harness.enqueueLogin()
        try await harness.withWorker { try await harness.waitForProviderError(enqueued.loginID) }
        try harness.faults(.none)
        #expect(try await harness.job(enqueued.loginID, "state", as: String.self) == "queued")
        return (attempt, enqueued)
    }
}
