import Accounts
import Foundation
import KakaoEmulator
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// A login from the posted code to the delivered tokens, against a real database and the
/// emulator over sockets.
@Suite("Login flow")
struct LoginFlowTests {
    @Test("a new user, then the same user again")
    func newUserThenReturningUser() async throws {
        try await QueueHarness.run { harness in
            try await harness.withWorker {
                let (attempt, enqueued) = try await harness.enqueueLogin(userID: 1_376_016_924_426_814_086)
                let first = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                let success = try #require(first.success)
                #expect(success.isNewUser)
                let delivery = try #require(success.delivery)
                #expect(delivery.isFirstDelivery)
                #expect(success.user?.id == success.userID)

                let (again, second) = try await harness.enqueueLogin(userID: 1_376_016_924_426_814_086)
                let next = try #require(try await harness.waitForResult(second.loginID, reader: again.reader).success)
                #expect(!next.isNewUser)
                #expect(next.userID == success.userID)
                let identity = try await harness.pool.query(
                    "SELECT subject, login_count FROM user_identities WHERE provider = 'kakao_emulator'"
                ).single()
                #expect(try identity.decode(String.self, "subject") == "1376016924426814086")
                #expect(try identity.decode(Int32.self, "login_count") == 2)
            }
            #expect(harness.emulator.stats.codesPresentedMoreThanOnce == 0)
        }
    }

    @Test("the first read mints the tokens, re-reads within the window get them again, later reads the status")
    func deliveryWindow() async throws {
        let queue = LoginQueueConfiguration(deliveryWindow: .seconds(1))
        try await QueueHarness.run(queue: queue) { harness in
            try await harness.withWorker {
                let (attempt, enqueued) = try await harness.enqueueLogin()
                let first = try #require(try await harness.waitForResult(enqueued.loginID, reader: attempt.reader).success?.delivery)
                let again = try #require(
                    try await harness.jobs.read(loginID: enqueued.loginID, readerToken: attempt.reader)?.success?.delivery
                )
                #expect(!again.isFirstDelivery)
                #expect(again.tokens.sessionID == first.tokens.sessionID)
                #expect(again.tokens.refreshToken == first.tokens.refreshToken)
                try await harness.pool.execute(
                    "UPDATE login_jobs SET delivered_at = delivered_at - interval '5 seconds' WHERE login_id = \(enqueued.loginID)"
                )
                let later = try #require(try await harness.jobs.read(loginID: enqueued.loginID, readerToken: attempt.reader)?.success)
                #expect(later.delivery == nil)
                #expect(try await harness.pool.query("SELECT count(*) AS n FROM sessions").single().decode(Int.self, "n") == 1)
            }
        }
    }

    @Test("the same code posted twice by its attempt gives one login and one presentation")
    func doubleSubmit() async throws {
        try await QueueHarness.run { harness in
            let (attempt, code) = try await harness.startAndMintCode()
            let first = try await harness.jobs.enqueue(
                code: code,
                redirectURI: nil,
                reader: .attempt(attempt.reader, state: attempt.state),
                provider: harness.configuredProvider
            )
            let second = try await harness.jobs.enqueue(
                code: code,
                redirectURI: nil,
                reader: .attempt(attempt.reader, state: attempt.state),
                provider: harness.configuredProvider
            )
            #expect(first.loginID == second.loginID)
            #expect(first.isNew && !second.isNew)
            try await harness.withWorker {
                _ = try await harness.waitForResult(first.loginID, reader: attempt.reader)
            }
            // And after the exchange, until the job is pruned.
            let third = try await harness.jobs.enqueue(
                code: code,
                redirectURI: nil,
                reader: .attempt(attempt.reader, state: attempt.state),
                provider: harness.configuredProvider
            )
            #expect(third.loginID == first.loginID)
            #expect(harness.emulator.stats.tokenRequestsTotal == 1)
            #expect(harness.emulator.stats.codesPresentedMoreThanOnce == 0)
        }
    }

    @Test("the same code from another attempt is refused with code_already_submitted")
    func codeFromAnotherAttempt() async throws {
        try await QueueHarness.run { harness in
            let (attempt, code) = try await harness.startAndMintCode()
            _ = try await harness.jobs.enqueue(
                code: code,
                redirectURI: nil,
                reader: .attempt(attempt.reader, state: attempt.state),
                provider: harness.configuredProvider
            )
            let other = try await harness.attempts.start(redirectURI: nil, clientKey: nil)
            await #expect(throws: LoginQueueError(.codeAlreadySubmitted)) {
                try await harness.jobs.enqueue(
                    code: code,
                    redirectURI: nil,
                    reader: .attempt(other.reader, state: other.state),
                    provider: harness.configuredProvider
                )
            }
            // The other attempt is untouched and can still be used for its own code.
            let used = try await harness.pool.query(
                "SELECT used_at IS NOT NULL AS used FROM login_attempts WHERE id = \(other.attemptID)"
            ).single().decode(Bool.self, "used")
            #expect(!used)
        }
    }

    @Test("a login is readable only by its own attempt")
    func readOnlyByItsAttempt() async throws {
        try await QueueHarness.run { harness in
            let (attempt, enqueued) = try await harness.enqueueLogin()
            let stranger = try await harness.attempts.start(redirectURI: nil, clientKey: nil)
            #expect(try await harness.jobs.read(loginID: enqueued.loginID, readerToken: stranger.reader) == nil)
            #expect(try await harness.jobs.read(loginID: enqueued.loginID, readerToken: ReaderToken("not a token")) == nil)
            #expect(try await harness.jobs.read(loginID: UUID(), readerToken: attempt.reader) == nil)
            guard case .pending = try #require(try await harness.jobs.read(loginID: enqueued.loginID, readerToken: attempt.reader))
            else {
                Issue.record("expected pending")
                return
            }
        }
    }

    @Test("bad posts are refused with a stable code and write nothing")
    func badPosts() async throws {
        try await QueueHarness.run { harness in
            let (attempt, code) = try await harness.startAndMintCode()
            let cases: [(String, String, String?, String, LoginQueueError.Code)] = [
                ("", attempt.state, nil, attempt.attemptToken, .invalidCode),
                (String(repeating: "a", count: 513), attempt.state, nil, attempt.attemptToken, .invalidCode),
                ("abc def", attempt.state, nil, attempt.attemptToken, .invalidCode),
                ("코드", attempt.state, nil, attempt.attemptToken, .invalidCode),
                (code, "", nil, attempt.attemptToken, .invalidState),
                (code, "wrong-state", nil, attempt.attemptToken, .invalidState),
                (code, attempt.state, nil, SecretTokenForTests.random, .attemptNotFound),
                (code, attempt.state, "https://evil.example/callback", attempt.attemptToken, .redirectURINotAllowed),
                (code, attempt.state, QueueHarness.otherRedirectURI, attempt.attemptToken, .redirectURINotAllowed),
                (code, attempt.state, nil, "short", .attemptNotFound),
            ]
            for (code, state, redirect, token, expected) in cases {
                await #expect(throws: LoginQueueError(expected)) {
                    try await harness.jobs.enqueue(
                        code: code,
                        redirectURI: redirect,
                        reader: .attempt(ReaderToken(token), state: state),
                        provider: harness.configuredProvider
                    )
                }
            }
            let counts = try await harness.pool.query(
                "SELECT (SELECT count(*) FROM login_jobs) AS jobs, (SELECT count(*) FROM login_attempts WHERE used_at IS NOT NULL) AS used"
            ).single()
            #expect(try counts.decode(Int.self, "jobs") == 0)
            #expect(try counts.decode(Int.self, "used") == 0)
        }
    }

    @Test("an expired attempt and a used attempt are refused")
    func expiredAndUsedAttempts() async throws {
        try await QueueHarness.run { harness in
            let (attempt, code) = try await harness.startAndMintCode()
            try await harness.pool.execute(
                "UPDATE login_attempts SET created_at = now() - interval '1 hour', expires_at = now() - interval '1 minute' WHERE id = \(attempt.attemptID)"
            )
            await #expect(throws: LoginQueueError(.attemptExpired)) {
                try await harness.jobs.enqueue(
                    code: code,
                    redirectURI: nil,
                    reader: .attempt(attempt.reader, state: attempt.state),
                    provider: harness.configuredProvider
                )
            }
            let (fresh, firstCode) = try await harness.startAndMintCode()
            _ = try await harness.jobs.enqueue(
                code: firstCode,
                redirectURI: nil,
                reader: .attempt(fresh.reader, state: fresh.state),
                provider: harness.configuredProvider
            )
            let secondCode = try harness.emulator.mintCode(redirectURI: QueueHarness.redirectURI)
            await #expect(throws: LoginQueueError(.attemptAlreadyUsed)) {
                try await harness.jobs.enqueue(
                    code: secondCode,
                    redirectURI: nil,
                    reader: .attempt(fresh.reader, state: fresh.state),
                    provider: harness.configuredProvider
                )
            }
        }
    }

    @Test("pending attempts per client are capped")
    func pendingAttemptCap() async throws {
        let queue = LoginQueueConfiguration(maxPendingAttemptsPerClient: 3)
        try await QueueHarness.run(queue: queue) { harness in
            for _ in 0..<3 { _ = try await harness.attempts.start(redirectURI: nil, clientKey: "192.0.2.7") }
            await #expect(throws: LoginQueueError(.tooManyPendingAttempts)) {
                try await harness.attempts.start(redirectURI: nil, clientKey: "192.0.2.7")
            }
            _ = try await harness.attempts.start(redirectURI: nil, clientKey: "192.0.2.8")
            await #expect(throws: LoginQueueError(.redirectURINotAllowed)) {
                try await harness.attempts.start(redirectURI: "http://127.0.0.1:8080/other", clientKey: nil)
            }
        }
    }

    @Test("the stateless flow: any allowed redirect URI, a poll token, no second post")
    func statelessFlow() async throws {
        try await QueueHarness.run { harness in
            let code = try harness.emulator.mintCode(redirectURI: QueueHarness.redirectURI, scope: "profile_nickname")
            let enqueued = try await harness.jobs.enqueue(
                code: code,
                redirectURI: nil,
                reader: .newPollToken,
                provider: harness.configuredProvider
            )
            let pollToken = try #require(enqueued.pollToken)
            await #expect(throws: LoginQueueError(.codeAlreadySubmitted)) {
                try await harness.jobs.enqueue(code: code, redirectURI: nil, reader: .newPollToken, provider: harness.configuredProvider)
            }
            try await harness.withWorker {
                let result = try await harness.waitForResult(enqueued.loginID, reader: ReaderToken(pollToken))
                #expect(result.success?.isNewUser == true)
            }
        }
    }

    @Test("nothing secret is stored in plaintext, and secrets are gone once the job ends")
    func secretsAtRest() async throws {
        try await QueueHarness.run { harness in
            let (attempt, code) = try await harness.startAndMintCode()
            let enqueued = try await harness.jobs.enqueue(
                code: code,
                redirectURI: nil,
                reader: .attempt(attempt.reader, state: attempt.state),
                provider: harness.configuredProvider
            )
            let dump = try await harness.pool.query(
                "SELECT (SELECT string_agg(j::text, '') FROM login_jobs j) || (SELECT string_agg(a::text, '') FROM login_attempts a) AS dump"
            ).single().decode(String.self, "dump")
            #expect(!dump.contains(code))
            #expect(!dump.contains(attempt.state))
            #expect(!dump.contains(attempt.attemptToken))
            try await harness.withWorker {
                _ = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
            }
            let row = try await harness.pool.query(
                "SELECT code_sealed IS NULL AND pkce_verifier_sealed IS NULL AND kakao_token_sealed IS NULL AS clean FROM login_jobs"
            ).single()
            #expect(try row.decode(Bool.self, "clean"))
        }
    }
}

/// A well-formed token no attempt has.
enum SecretTokenForTests {
    static var random: String { SecretToken.random() }
}
