import Foundation
import Logging

extension JobRunner {
    /// Runs one attempt of an account deletion: tells each provider, in turn, to disconnect the
    /// app (recording each success, so a retry asks only the rest), then decides how the job
    /// ends. Nothing here is secret to repeat: a provider that already forgot the user answers
    /// as if it had just done it. Unlike a login, a deletion past its deadline still tries once,
    /// so that it fails with the provider's own reason, never a guess.
    ///
    /// - Parameter markDisconnected: records one identity as disconnected; false when the job is
    ///   no longer ours.
    /// - Returns: nil when the job was lost to another worker.
    func runDeletion(
        _ job: ClaimedJob,
        identities: [WorkerLoginJobs.IdentityToDisconnect],
        markDisconnected: (JobFence, Int64) async throws -> Bool
    ) async throws -> JobOutcome? {
        let logger = logger.with(job)
        for identity in identities {
            var logger = logger
            logger[metadataKey: "identity.provider"] = "\(identity.provider)"
            guard let provider = providers[identity.provider] else {
                // This worker has no client for it (the provider was removed from the configuration).
                logger.error("account.deletion.provider_not_configured")
                return .accountErased(.internalError, providerError: nil, error: nil)
            }
            var token: String?
            if let sealed = identity.sealedToken {
                guard
                    let opened = try? sealing.openString(
                        sealed,
                        for: IdentityTokens.context(provider: provider.name, subject: identity.subject)
                    )
                else {
                    logger.error("account.deletion.token_unreadable")
                    return .accountErased(.internalError, providerError: nil, error: nil)
                }
                token = opened
            }
            let started = ContinuousClock.now
            do {
                try await provider.disconnect(subject: identity.subject, token: token)
                metrics.providerCall("disconnect", outcome: "ok", duration: ContinuousClock.now - started)
            } catch let error as LoginProviderError {
                metrics.providerCall("disconnect", outcome: error.retryClass.rawValue, duration: ContinuousClock.now - started)
                switch retryOrFail(job, error, codeNeverSent: false, logger: logger) {
                case .retry(let delay, let attemptError, _):
                    return .retry(after: delay, error: attemptError, codeNeverSent: false)
                case .failed(let code, let providerError, _, let attemptError, _):
                    logger.warning("account.deletion.provider_not_told", metadata: ["provider.error": "\(providerError ?? "-")"])
                    return .accountErased(code, providerError: providerError, error: attemptError)
                case .succeeded, .accountErased, .released:
                    return .accountErased(.internalError, providerError: nil, error: nil)
                }
            }
            guard try await markDisconnected(job.fence, identity.id) else { return nil }
            logger.info("account.deletion.provider_disconnected")
        }
        return .accountErased(nil, providerError: nil, error: nil)
    }
}
