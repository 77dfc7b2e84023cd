import Foundation
import Logging
import Postgres

extension APILoginJobs {
    /// Says why an attempt's enqueue inserted nothing — or finds the job of an identical earlier
    /// post by the same attempt (a reload, React StrictMode), whose `login_id` it answers.
    /// Costs a statement only on this path, never on a successful enqueue.
    func explainRefusedEnqueue(
        binding: [UInt8],
        stateHash: [UInt8],
        provider: String,
        fingerprints: [[UInt8]],
        redirectURI: String?,
        logger: Logger
    ) async throws(LoginQueueError) -> EnqueuedLogin {
        let jobs = LoginJobsTable.jobsWithCode(fingerprints, columns: "login_id, binding_hash")
        let rows = try await LoginQueueError.database(logger, "enqueue") {
            try await pool.query(
                """
                SELECT (SELECT login_id FROM \(jobs) AS j WHERE j.binding_hash = \(binding) LIMIT 1) AS same_login,
                       EXISTS \(LoginJobsTable.jobsWithCode(fingerprints, columns: "1")) AS code_known,
                       a.id IS NOT NULL AS attempt_found,
                       coalesce(a.state_hash = \(stateHash), false) AS state_matches,
                       coalesce(\(redirectURI)::text IS NULL OR a.redirect_uri = \(redirectURI)::text, false) AS redirect_matches,
                       coalesce(a.expires_at <= now(), false) AS expired,
                       coalesce(a.used_at IS NOT NULL, false) AS used
                FROM (SELECT 1) AS one
                LEFT JOIN login_attempts a ON a.binding_hash = \(binding) AND a.provider = \(provider)
                """
            )
        }
        do {
            let row = try rows.single()
            if let same = try row.decode(UUID?.self, "same_login") {
                return EnqueuedLogin(loginID: same, pollToken: nil, isNew: false)
            }
            if try row.decode(Bool.self, "code_known") { throw LoginQueueError(.codeAlreadySubmitted) }
            guard try row.decode(Bool.self, "attempt_found") else { throw LoginQueueError(.attemptNotFound) }
            guard try row.decode(Bool.self, "state_matches") else { throw LoginQueueError(.invalidState) }
            guard try row.decode(Bool.self, "redirect_matches") else { throw LoginQueueError(.redirectURINotAllowed) }
            if try row.decode(Bool.self, "expired") { throw LoginQueueError(.attemptExpired) }
            if try row.decode(Bool.self, "used") { throw LoginQueueError(.attemptAlreadyUsed) }
            // A concurrent post of the same code won the race between our check and insert.
            throw LoginQueueError(.codeAlreadySubmitted)
        } catch let error as LoginQueueError {
            throw error
        } catch {
            logger.error("login.enqueue_unexplained", metadata: ["db.error": "\(error)"])
            throw LoginQueueError(.internalError)
        }
    }
}
