import Accounts
import Foundation
import KakaoEmulator
import Postgres
import Synchronization
import TestSupport
import Testing

@testable import LoginQueue

/// Retryable failures put the job back to `queued` with a backoff and it completes once Kakao
/// answers; the code is presented again only when that is safe.
@Suite("Retries")
struct RetryTests {
    @Test("5xx answers, then success")
    func serverErrorsThenSuccess() async throws {
        try await QueueHarness.run { harness in
            try harness.faults(KakaoEmulatorFaults(errorRate: 1))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await harness.withWorker {
                try await waitUntil("two attempts failed") {
                    try await harness.job(enqueued.loginID, "attempt", as: Int16.self) >= 2
                }
                try harness.faults(.none)
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.success != nil)
            }
            let errors = try await harness.pool.query(
                "SELECT jsonb_array_length(errors) AS n, errors->0->>'class' AS class FROM login_jobs"
            ).single()
            #expect(try errors.decode(Int32.self, "n") >= 1)
            #expect(try errors.decode(String.self, "class") == "retryable")
        }
    }

    @Test("Kakao never answers, the request times out, then a retry succeeds")
    func timeoutThenSuccess() async throws {
        // Long enough for a real answer on a loaded host once the fault is off: a retry that timed
        // out after the provider did the work would find the code spent (exchange_interrupted).
        try await QueueHarness.run(readTimeout: .seconds(2)) { harness in
            try harness.faults(KakaoEmulatorFaults(timeoutRate: 1))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await harness.withWorker {
                try await harness.waitForProviderError(enqueued.loginID)
                try harness.faults(.none)
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.success != nil, "\(result)")
            }
            // The timed-out request had an unknown outcome, so the claim's mark stays.
            #expect(try await harness.job(enqueued.loginID, "exchange_sent_at", as: Date?.self) != nil)
        }
    }

    @Test("user/me fails after the exchange: the retry resumes at user/me and never presents the code again")
    func profileRetryResumesFromCheckpoint() async throws {
        try await QueueHarness.run { harness in
            let flaky = FlakyProfileProvider(wrapped: harness.provider, failures: 2)
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await harness.withWorker(provider: flaky) {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.success != nil)
            }
            #expect(try await harness.job(enqueued.loginID, "attempt", as: Int16.self) == 3)
            #expect(harness.emulator.stats.tokenRequestsTotal == 1)
            #expect(harness.emulator.stats.codesPresentedMoreThanOnce == 0)
        }
    }
}

/// The Kakao provider, except that its first `failures` profile reads fail as Kakao's -10 would.
struct FlakyProfileProvider: ForwardingProvider {
    let wrapped: any LoginProvider
    let remaining: Counter

    init(wrapped: any LoginProvider, failures: Int) {
        self.wrapped = wrapped
        self.remaining = Counter(failures)
    }

    func profile(tokens: ProviderTokens, nonce: String?) async throws -> ProviderProfile {
        if remaining.take() {
            throw LoginProviderError(
                retryClass: .rateLimited,
                delivery: .responded,
                failureCode: .kakaoRateLimited,
                providerError: "-10"
            )
        }
        return try await wrapped.profile(tokens: tokens, nonce: nonce)
    }

    /// How many failures are left.
    final class Counter: Sendable {
        private let value: Mutex<Int>
        init(_ value: Int) { self.value = Mutex(value) }
        func take() -> Bool {
            value.withLock { count in
                count > 0
                    ? {
                        count -= 1
                        return true
                    }() : false
            }
        }
    }
}
