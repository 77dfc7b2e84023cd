import Accounts
import Foundation
import Logging
import Synchronization

/// Runs one attempt of one claimed job: exchange (unless checkpointed), checkpoint, profile and
/// id-token check, and decides the outcome. It never presents a code again after a definitive
/// answer to an earlier presentation (see docs/ARCHITECTURE.md, "Retries and failure reasons").
struct JobRunner: Sendable {
    let providers: [String: any LoginProvider]
    let sealing: SealingKeys
    let retryPolicy: RetryPolicy
    let logger: Logger
    let metrics: WorkerMetrics

    /// What the runner tells the worker about the code while it runs, so a shutdown can release
    /// the job when the code was never sent.
    final class Progress: Sendable {
        private let sent = Atomic(false)
        private let checkpointed = Atomic(false)

        func markSent() { sent.store(true, ordering: .relaxed) }
        func markCheckpointed() { checkpointed.store(true, ordering: .relaxed) }
        /// The code may have reached the provider in this attempt.
        var codeSent: Bool { sent.load(ordering: .relaxed) }
        /// The provider's tokens are checkpointed: handing the job back never re-sends the code.
        var isCheckpointed: Bool { checkpointed.load(ordering: .relaxed) }
    }

    /// Runs the attempt of a login (of a code, or of a native app's tokens) up to (not
    /// including) the final write. `checkpoint` writes the sealed provider tokens and returns
    /// false when the job is no longer ours.
    func run(
        _ job: ClaimedJob,
        progress: Progress,
        checkpoint: (JobFence, [UInt8]) async throws -> Bool
    ) async throws -> JobOutcome? {
        let logger = logger.with(job)
        guard let provider = providers[job.provider] else {
            // The claim takes only this worker's providers; a job of another is not run on a guess.
            logger.error("login.job.unknown_provider", metadata: ["job.provider": "\(job.provider)"])
            return .internalFailure
        }
        if job.timeLeft <= .zero {
            // Retries that ran into the deadline end with their provider's reason and last
            // error; a job nobody ran in time is `login_expired`, with no provider error.
            let providerReason = job.lastError.flatMap { provider.exhaustedRetryCodes.code(after: $0.retryClass) }
            return .failed(
                providerReason ?? .loginExpired,
                providerError: providerReason != nil ? job.lastError?.providerError : nil,
                error: nil,
                codeNeverSent: job.stage == .exchange && !job.previouslySent
            )
        }
        let tokens: ProviderTokens
        switch job.stage {
        case .exchange:
            guard case .login(let redirectURI) = job.kind, let sealedCode = job.sealedCode,
                let code = try? sealing.openString(sealedCode, for: LoginJobsTable.codeContext(job.loginID))
            else {
                logger.error("login.job.code_unreadable")
                return .internalFailure
            }
            var verifier: String?
            if let sealedVerifier = job.sealedVerifier {
                guard let attemptID = job.attemptID,
                    let opened = try? sealing.openString(sealedVerifier, for: LoginAttempts.verifierContext(attemptID))
                else {
                    logger.error("login.job.verifier_unreadable")
                    return .internalFailure
                }
                verifier = opened
            }
            progress.markSent()
            let started = ContinuousClock.now
            do {
                tokens = try await JobSpans.step("login.exchange") {
                    try await provider.exchange(code: code, redirectURI: redirectURI, codeVerifier: verifier)
                }
                metrics.providerCall("exchange", outcome: "ok", duration: ContinuousClock.now - started)
            } catch let error as LoginProviderError {
                metrics.providerCall("exchange", outcome: error.retryClass.rawValue, duration: ContinuousClock.now - started)
                return exchangeFailed(job, error, logger: logger)
            }
            let sealed: [UInt8]
            do {
                sealed = try LoginJobsTable.seal(tokens, loginID: job.loginID, with: sealing)
            } catch {
                logger.error("login.job.checkpoint_unsealable")
                return .internalFailure
            }
            guard try await JobSpans.step("login.checkpoint", { try await checkpoint(job.fence, sealed) }) else { return nil }
            progress.markCheckpointed()

        case .disconnect:
            // A deletion's stage on a login: written by no version of this service.
            logger.error("login.job.stage_of_another_kind")
            return .internalFailure

        case .profile, .done:
            progress.markCheckpointed()
            guard let sealedTokens = job.sealedProviderTokens,
                let decoded = try? LoginJobsTable.openProviderTokens(sealedTokens, loginID: job.loginID, with: sealing)
            else {
                logger.error("login.job.checkpoint_unreadable")
                return .internalFailure
            }
            tokens = decoded
        }

        let started = ContinuousClock.now
        do {
            let profile = try await JobSpans.step("login.profile") {
                job.kind == .appToken
                    ? try await provider.profile(ofAppTokens: tokens, nonce: job.nonce)
                    : try await provider.profile(tokens: tokens, nonce: job.nonce)
            }
            metrics.providerCall("profile", outcome: "ok", duration: ContinuousClock.now - started)
            var sealedToken: [UInt8]?
            if let token = provider.disconnectToken(from: tokens) {
                guard let sealed = try? sealing.seal(token, for: IdentityTokens.context(provider: provider.name, subject: profile.subject))
                else {
                    logger.error("login.job.identity_token_unsealable")
                    return .internalFailure
                }
                sealedToken = sealed
            }
            return .succeeded(profile, linkingTo: job.linkUserID, sealedProviderToken: sealedToken)
        } catch let error as LoginProviderError {
            metrics.providerCall("profile", outcome: error.retryClass.rawValue, duration: ContinuousClock.now - started)
            return retryOrFail(job, error, codeNeverSent: false, logger: logger)
        }
    }

    /// The token request failed. Only a retryable failure is tried again, so the code is
    /// presented again only when the request certainly did not reach the provider, its outcome
    /// is unknown, or the provider answered that it did not process the grant (a server error,
    /// a rate limit); every other answer is terminal.
    private func exchangeFailed(_ job: ClaimedJob, _ error: LoginProviderError, logger: Logger) -> JobOutcome {
        if error.rejectsCode {
            return .failed(job.previouslySent ? .exchangeInterrupted : error.failureCode, by: error, codeNeverSent: false)
        }
        return retryOrFail(job, error, codeNeverSent: error.delivery == .notSent && !job.previouslySent, logger: logger)
    }

    /// Retries within the deadline and the attempt budget, or fails with the error's reason.
    func retryOrFail(_ job: ClaimedJob, _ error: LoginProviderError, codeNeverSent: Bool, logger: Logger) -> JobOutcome {
        guard error.retryClass != .terminal else {
            return .failed(error.failureCode, by: error, codeNeverSent: codeNeverSent)
        }
        let delay = retryPolicy.delay(
            afterAttempt: job.attempt,
            rateLimited: error.retryClass == .rateLimited,
            random: Double.random(in: 0..<1)
        )
        if job.attempt >= job.maxAttempts || delay >= job.timeLeft {
            logger.info("login.job.retries_exhausted", metadata: ["provider.error": "\(error.providerError ?? "-")"])
            return .failed(error.failureCode, by: error, codeNeverSent: codeNeverSent)
        }
        return .retry(after: delay, error: error.attemptError, codeNeverSent: codeNeverSent)
    }
}

extension LoginProviderError {
    var attemptError: JobOutcome.AttemptError {
        JobOutcome.AttemptError(retryClass: retryClass, providerError: providerError)
    }
}

extension Logger {
    /// This logger with the job's ids as metadata.
    func with(_ job: ClaimedJob) -> Logger {
        var logger = self
        logger[metadataKey: "job.id"] = "\(job.id)"
        logger[metadataKey: "login.id"] = "\(job.loginID.uuidString.lowercased())"
        logger[metadataKey: "job.attempt"] = "\(job.attempt)"
        return logger
    }
}
