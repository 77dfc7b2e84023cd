import Accounts
import Foundation
import GoogleEmulator
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// Sign in with Google through the same queue as Kakao: one user model, identities by Google's
/// `sub` (never by email), and each of Google's failures ending the login with DESIGN.md's code.
@Suite("Sign in with Google")
struct GoogleLoginTests {
    @Test("a new user from the id_token's claims, then the same user again; the code is presented once")
    func newUserThenReturningUser() async throws {
        try await GoogleWorld.run { world in
            let first = try #require(try await world.login().success)
            #expect(first.isNewUser)
            #expect(first.delivery?.isFirstDelivery == true)
            let user = try #require(first.user)
            #expect(user.displayName == "Alice Kim")
            #expect(user.email == "alice.emulator@gmail.com")
            #expect(user.emailVerified)
            #expect(user.profileImageURL?.hasPrefix("https://lh3.googleusercontent.com/") == true)

            let again = try #require(try await world.login().success)
            #expect(!again.isNewUser)
            #expect(again.userID == first.userID)
            let identity = try await world.harness.pool.query(
                "SELECT subject, login_count FROM user_identities WHERE provider = 'google_emulator'"
            ).single()
            #expect(try identity.decode(String.self, "subject") == GoogleWorld.alice)
            #expect(try identity.decode(Int32.self, "login_count") == 2)
            #expect(world.emulator.stats.codesPresentedMoreThanOnce == 0)
        }
    }

    @Test("an address Google does not vouch for is kept unverified")
    func unverifiedEmail() async throws {
        try await GoogleWorld.run { world in
            let user = try #require(try await world.login(userID: GoogleWorld.bob).success?.user)
            #expect(user.email == "bob@emulator-mail.test")
            #expect(!user.emailVerified)
        }
    }

    @Test("a Google account with the verified address of a Kakao user is a new user, not that user")
    func sameEmailIsNotTheSameUser() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.users.append(.init(sub: "112233445566778899001", email: "ryan@emulator.kakao.test", name: "Ryan"))
        try await GoogleWorld.run(emulator: configuration) { world in
            let (kakaoAttempt, kakaoLogin) = try await world.harness.enqueueLogin(userID: 3_141_592_653)
            let kakao = try await world.withWorker {
                try await world.harness.waitForResult(kakaoLogin.loginID, reader: kakaoAttempt.reader)
            }
            let kakaoUser = try #require(kakao.success?.user)
            #expect(kakaoUser.email == "ryan@emulator.kakao.test")
            let google = try #require(try await world.login(userID: "112233445566778899001").success)
            #expect(google.isNewUser)
            #expect(google.userID != kakaoUser.id)
        }
    }

    @Test("a code Google never issued: authorization_code_invalid with invalid_grant, presented once")
    func unknownCode() async throws {
        try await GoogleWorld.run { world in
            let attempt = try await world.attempts.start(redirectURI: nil, clientKey: nil)
            let enqueued = try await world.enqueue(attempt, code: "4/0AfJohXmade-up-code-google-never-issued")
            let result = try await world.withWorker { try await world.harness.waitForResult(enqueued.loginID, reader: attempt.reader) }
            guard case .failed(.authorizationCodeInvalid, "invalid_grant", _) = result else {
                Issue.record("got \(result)")
                return
            }
            #expect(try await world.harness.job(enqueued.loginID, "attempt", as: Int16.self) == 1)
            #expect(world.emulator.stats.tokenRequestsTotal == 1)
        }
    }

    @Test("a client secret Google does not know: google_client_misconfigured, never retried")
    func wrongClientSecret() async throws {
        try await GoogleWorld.run(clientSecret: "not-the-secret") { world in
            let (attempt, enqueued) = try await world.enqueueLogin()
            let result = try await world.withWorker { try await world.harness.waitForResult(enqueued.loginID, reader: attempt.reader) }
            guard case .failed(.googleClientMisconfigured, "invalid_client", _) = result else {
                Issue.record("got \(result)")
                return
            }
            #expect(try await world.harness.job(enqueued.loginID, "attempt", as: Int16.self) == 1)
        }
    }

    @Test("an id_token whose nonce is not the attempt's: id_token_invalid, and no user is made")
    func nonceMismatch() async throws {
        try await GoogleWorld.run { world in
            let (attempt, code) = try await world.startAndMintCode(nonce: "someone-elses-nonce")
            let enqueued = try await world.enqueue(attempt, code: code)
            let result = try await world.withWorker { try await world.harness.waitForResult(enqueued.loginID, reader: attempt.reader) }
            guard case .failed(.idTokenInvalid, "id_token_nonce", _) = result else {
                Issue.record("got \(result)")
                return
            }
            #expect(try await world.harness.pool.query("SELECT count(*) AS n FROM users").single().decode(Int.self, "n") == 0)
        }
    }

    @Test("Google keeps failing until the deadline: google_unavailable")
    func unavailableUntilDeadline() async throws {
        try await GoogleWorld.run(queue: LoginQueueConfiguration(jobDeadline: .seconds(6))) { world in
            let (attempt, enqueued) = try await world.enqueueLogin()
            try world.emulator.setFaults(GoogleEmulatorFaults(errorRate: 1))
            let result = try await world.withWorker { try await world.harness.waitForResult(enqueued.loginID, reader: attempt.reader) }
            #expect(result.failureCode == .googleUnavailable)
            #expect(try await world.harness.job(enqueued.loginID, "attempt", as: Int16.self) >= 2)
        }
    }

    @Test("Google keeps refusing for quota until the deadline: google_rate_limited")
    func rateLimitedUntilDeadline() async throws {
        try await GoogleWorld.run(queue: LoginQueueConfiguration(jobDeadline: .seconds(6))) { world in
            let (attempt, enqueued) = try await world.enqueueLogin()
            try world.emulator.setFaults(GoogleEmulatorFaults(quotaRate: 1))
            let result = try await world.withWorker { try await world.harness.waitForResult(enqueued.loginID, reader: attempt.reader) }
            #expect(result.failureCode == .googleRateLimited)
        }
    }

    @Test("Google never answers, the exchange times out, then a retry succeeds")
    func timeoutThenSuccess() async throws {
        // Long enough for a real answer on a loaded host once the fault is off: a retry that timed
        // out after the provider did the work would find the code spent (exchange_interrupted).
        try await GoogleWorld.run(readTimeout: .seconds(2)) { world in
            let (attempt, enqueued) = try await world.enqueueLogin()
            try world.emulator.setFaults(GoogleEmulatorFaults(timeoutRate: 1))
            try await world.withWorker {
                try await world.harness.waitForProviderError(enqueued.loginID)
                try world.emulator.setFaults(.none)
                let result = try await world.harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.success != nil)
            }
        }
    }

    @Test("the answer is lost after Google did the work, and the retry gets invalid_grant: exchange_interrupted")
    func answerLostThenCodeSpent() async throws {
        try await GoogleWorld.run { world in
            let (attempt, enqueued) = try await world.enqueueLogin()
            try world.emulator.setFaults(GoogleEmulatorFaults(dropRate: 1))
            try await world.withWorker {
                try await world.harness.waitForProviderError(enqueued.loginID)
                try world.emulator.setFaults(.none)
                let result = try await world.harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.failureCode == .exchangeInterrupted)
            }
        }
    }
}
