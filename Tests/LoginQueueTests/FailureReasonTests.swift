import Foundation
import KakaoEmulator
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// Every failure reason of DESIGN.md that the emulator can provoke, each ending the job with
/// that reason and Kakao's code (never its text).
@Suite("Failure reasons")
struct FailureReasonTests {
    @Test("KOE320 on the first presentation: authorization_code_invalid")
    func unknownCode() async throws {
        try await QueueHarness.run { harness in
            let attempt = try await harness.attempts.start(redirectURI: nil, clientKey: nil)
            let enqueued = try await harness.jobs.enqueue(
                code: "made-up-code-kakao-never-issued",
                redirectURI: nil,
                reader: .attempt(attempt.reader, state: attempt.state),
                provider: harness.configuredProvider
            )
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                guard case .failed(.authorizationCodeInvalid, let providerError, _) = result else {
                    Issue.record("got \(result)")
                    return
                }
                #expect(providerError == "KOE320")
            }
            let errors = try await harness.job(enqueued.loginID, "errors", as: String.self)
            #expect(!errors.contains("authorization code not found"))
        }
    }

    @Test("a code minted for another redirect URI: redirect_uri_mismatch")
    func redirectMismatch() async throws {
        try await QueueHarness.run { harness in
            let attempt = try await harness.attempts.start(redirectURI: nil, clientKey: nil)
            let query = try #require(URLComponents(string: attempt.authorizeURL)?.queryItems)
            let code = try harness.emulator.mintCode(
                redirectURI: QueueHarness.otherRedirectURI,
                scope: "openid",
                codeChallenge: query.first { $0.name == "code_challenge" }?.value,
                nonce: query.first { $0.name == "nonce" }?.value
            )
            let enqueued = try await harness.jobs.enqueue(
                code: code,
                redirectURI: nil,
                reader: .attempt(attempt.reader, state: attempt.state),
                provider: harness.configuredProvider
            )
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.failureCode == .redirectURIMismatch)
            }
        }
    }

    @Test("the app wants a client secret we do not send: kakao_client_misconfigured")
    func missingClientSecret() async throws {
        var configuration = KakaoEmulatorConfiguration()
        configuration.apps[0].clientSecret = "the-secret"
        try await QueueHarness.run(emulator: configuration) { harness in
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                guard case .failed(.kakaoClientMisconfigured, "KOE010", _) = result else {
                    Issue.record("got \(result)")
                    return
                }
            }
        }
    }

    @Test("a required consent item is missing (-402): consent_required with Kakao's required_scopes, and nothing written")
    func requiredConsentMissing() async throws {
        var configuration = KakaoEmulatorConfiguration()
        configuration.apps[0].consentItems.append(.init(id: "phone_number", required: true))
        try await QueueHarness.run(emulator: configuration) { harness in
            let (attempt, enqueued) = try await harness.enqueueLogin(scope: "openid profile_nickname")
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                guard case .failed(.consentRequired, "-402", ["phone_number"]) = result else {
                    Issue.record("got \(result)")
                    return
                }
            }
            #expect(try await harness.job(enqueued.loginID, "required_scopes", as: [String]?.self) == ["phone_number"])
            #expect(try await harness.pool.query("SELECT count(*) AS n FROM user_identities").single().decode(Int.self, "n") == 0)
        }
    }

    @Test("an id_token whose nonce is not the attempt's: id_token_invalid")
    func nonceMismatch() async throws {
        try await QueueHarness.run { harness in
            let (attempt, code) = try await harness.startAndMintCode(nonce: "someone-elses-nonce")
            let enqueued = try await harness.jobs.enqueue(
                code: code,
                redirectURI: nil,
                reader: .attempt(attempt.reader, state: attempt.state),
                provider: harness.configuredProvider
            )
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.failureCode == .idTokenInvalid)
            }
        }
    }

    @Test("Kakao keeps failing until the deadline: kakao_unavailable")
    func unavailableUntilDeadline() async throws {
        let queue = LoginQueueConfiguration(jobDeadline: .seconds(6))
        try await QueueHarness.run(queue: queue) { harness in
            try harness.faults(KakaoEmulatorFaults(errorRate: 1))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.failureCode == .kakaoUnavailable)
            }
            #expect(try await harness.job(enqueued.loginID, "attempt", as: Int16.self) >= 2)
        }
    }

    @Test("Kakao keeps rate limiting until the deadline: kakao_rate_limited")
    func rateLimitedUntilDeadline() async throws {
        let queue = LoginQueueConfiguration(jobDeadline: .seconds(6))
        try await QueueHarness.run(queue: queue) { harness in
            try harness.faults(KakaoEmulatorFaults(quotaRate: 1))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.failureCode == .kakaoRateLimited)
            }
        }
    }

    @Test("a job nobody ran before its deadline: login_expired, and its unsent code stays for a requeue")
    func expiredBeforeClaim() async throws {
        let queue = LoginQueueConfiguration(jobDeadline: .milliseconds(200))
        try await QueueHarness.run(queue: queue) { harness in
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await Task.sleep(for: .milliseconds(300))
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.failureCode == .loginExpired)
            }
            #expect(try await harness.job(enqueued.loginID, "exchange_sent_at", as: Date?.self) == nil)
            #expect(try await harness.job(enqueued.loginID, "code_sealed", as: [UInt8]?.self) != nil)
            #expect(harness.emulator.stats.tokenRequestsTotal == 0)
        }
    }

    @Test("an operator cancels a queued job: canceled, and the reader hears it")
    func canceledByOperator() async throws {
        try await QueueHarness.run { harness in
            let (attempt, enqueued) = try await harness.enqueueLogin()
            let sql = try String(
                contentsOfFile: try TestEnvironment.migrationsDirectory() + "/../ops/cancel_queued_job.sql",
                encoding: .utf8
            )
            .replacingOccurrences(of: ":'login_id'", with: "'\(enqueued.loginID.uuidString.lowercased())'")
            let statement = sql.components(separatedBy: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
            let canceled = try await harness.pool.query(SQLQuery(unsafeSQL: statement))
            #expect(canceled.count == 1)
            let result = try #require(try await harness.jobs.read(loginID: enqueued.loginID, readerToken: attempt.reader))
            #expect(result.failureCode == .canceled)
        }
    }

    @Test("the answer is lost after Kakao did the work, and the retry gets KOE320: exchange_interrupted")
    func answerLostThenCodeSpent() async throws {
        try await QueueHarness.run { harness in
            try harness.faults(KakaoEmulatorFaults(dropRate: 1))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            try await harness.withWorker {
                try await harness.waitForProviderError(enqueued.loginID)
                try harness.faults(.none)
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.failureCode == .exchangeInterrupted)
            }
        }
    }
}
