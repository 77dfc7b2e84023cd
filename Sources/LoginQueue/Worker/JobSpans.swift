import Foundation
import Tracing

/// The worker's spans of one job, in the trace of the request that enqueued it
/// (``JobTraceContext``): `login.job` (consumer) with `login.claim` (the claim statement that took
/// it, shared with the rest of its batch), `login.exchange`, `login.checkpoint`, `login.profile`
/// and `login.complete`; the provider's HTTP calls are children of the step that made them.
/// Attributes are ids and outcomes: never a code, a token, an email or a provider's text.
enum JobSpans {
    /// When the claim statement that took a job ran, and how many jobs it took.
    struct Claim: Sendable {
        let started: DefaultTracerClock.Instant
        let ended: DefaultTracerClock.Instant
        let batchSize: Int
    }

    /// Runs `body` in the job's `login.job` span, begun when its claim began.
    static func job<T>(_ job: ClaimedJob, claim: Claim, _ body: (any Span) async -> T) async -> T {
        await withSpan(
            "login.job",
            at: claim.started,
            context: JobTraceContext.context(from: job.traceContext),
            ofKind: .consumer
        ) { span in
            span.attributes["login.id"] = job.loginID.uuidString.lowercased()
            span.attributes["login.job.id"] = Int(job.id)
            span.attributes["login.job.attempt"] = job.attempt
            span.attributes["login.provider"] = job.provider
            let claimSpan = startSpan("login.claim", at: claim.started)
            claimSpan.attributes["login.claim.batch_size"] = claim.batchSize
            claimSpan.end(at: claim.ended)
            return await body(span)
        }
    }

    /// Runs one step of a job in a child span `name`. A thrown ``LoginProviderError`` sets the
    /// span's error status to its failure code (and `login.provider_error` to the provider's
    /// code); the error's text is never recorded.
    static func step<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withSpan(name) { span in
            do {
                return .success(try await body())
            } catch {
                if let error = error as? LoginProviderError {
                    if let providerError = error.providerError { span.attributes["login.provider_error"] = providerError }
                    span.setStatus(SpanStatus(code: .error, message: error.failureCode.rawValue))
                } else {
                    span.setStatus(SpanStatus(code: .error, message: "\(type(of: error))"))
                }
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Records how the attempt ended on the `login.job` span: a failure is an error status with
    /// its failure code.
    static func record(_ outcome: JobOutcome, on span: any Span) {
        switch outcome {
        case .succeeded, .accountErased(nil, _, _):
            span.attributes["login.job.outcome"] = "succeeded"
        case .accountErased(let code?, _, _), .failed(let code, _, _, _, _):
            span.attributes["login.job.outcome"] = "failed"
            span.attributes["login.failure_code"] = code.rawValue
            span.setStatus(SpanStatus(code: .error, message: code.rawValue))
        case .retry(_, let error, _):
            span.attributes["login.job.outcome"] = "retry"
            if let providerError = error.providerError { span.attributes["login.provider_error"] = providerError }
        case .released:
            span.attributes["login.job.outcome"] = "released"
        }
    }
}
