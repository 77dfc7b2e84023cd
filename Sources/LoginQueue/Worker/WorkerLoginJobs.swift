import Accounts
import Foundation
import Logging
import Postgres

/// The worker's side of the queue: its statements on `login_jobs`. The claim commits before
/// any call to the provider (``claim(limit:lease:)``); every later write is fenced on the claim
/// (``fenced(_:)``), so a job rescued by another worker cannot be overwritten by its old one.
/// (The API's side is ``APILoginJobs``.)
///
/// Checkpoints and outcomes are group-committed (``GroupCommit``): the ones that are ready while
/// another batch is written go together in one transaction, so under load a commit serves many
/// jobs; alone, each is one autocommit statement as before.
struct WorkerLoginJobs: Sendable {
    let pool: PostgresPool
    let workerID: String
    /// The providers this worker runs: it claims only their jobs.
    let providerNames: [String]
    let accounts: UserAccounts
    /// Checkpoints, each committed asynchronously (losing one only costs a retry).
    let checkpoints: GroupCommit
    /// Outcomes, committed durably; the sign-ins of a batch as one statement (``signInStatement``).
    var completions: GroupCommit
    /// A checkpoint alone, or the checkpoints of a batch in one `UPDATE`, each fenced
    /// (``fenced(_:)``); built once, not per checkpoint.
    let checkpointStatement: SetStatement<Checkpoint>
    /// A sign-in's success alone, or the sign-ins of a batch in one statement; built once.
    let signInStatement: SetStatement<SignIn>

    init(pool: PostgresPool, workerID: String, providerNames: [String], accounts: UserAccounts) {
        self.pool = pool
        self.workerID = workerID
        self.providerNames = providerNames
        self.accounts = accounts
        checkpoints = GroupCommit(pool: pool, name: "worker_checkpoint")
        completions = GroupCommit(pool: pool, name: "worker_complete")
        checkpointStatement = Self.checkpointStatement(workerID: workerID)
        signInStatement = Self.signInStatement(workerID: workerID, accounts: accounts)
    }

    /// The condition every write after the claim carries: still this claim's job, still running.
    ///
    /// "Still running" is `locked_by` being this worker's: the rules keep `locked_by` set exactly
    /// while a job runs (`login_job_rules_hold`). A `state = 'running'` as well would add nothing
    /// but let the planner walk `login_jobs_leased_idx` (WHERE state = 'running') instead of
    /// probing the primary key whenever the statistics said few jobs ran (seen at 64 logins in
    /// flight: 1.7 ms instead of 0.4 for seven checkpoints in one statement).
    func fenced(_ fence: JobFence) -> SQLFragment {
        Self.fenced(id: "id = \(fence.id)", attempt: "attempt = \(fence.attempt)", workerID: workerID)
    }

    /// ``fenced(_:)`` over columns: `id` and `attempt` the conditions that name the job and the claim.
    static func fenced(id: SQLFragment, attempt: SQLFragment, workerID: String) -> SQLFragment {
        "\(id) AND \(attempt) AND locked_by = \(workerID)"
    }

    /// `errors` with this attempt's entry appended: time, attempt, stage, retry class and the
    /// provider's error code (never its text).
    static func appendingError(_ error: JobOutcome.AttemptError) -> SQLFragment {
        """
        errors || jsonb_build_array(jsonb_build_object(
            'at', now(), 'attempt', attempt, 'stage', stage,
            'class', \(error.retryClass.rawValue)::text, 'provider_error', \(error.providerError)::text))
        """
    }

    /// Renews the leases of the jobs this worker runs, in one statement that never waits for a
    /// row lock: a job whose row another transaction has locked (most often this worker's own
    /// batched checkpoint or completion of it) is skipped and reported busy. Waiting instead
    /// would order its row locks against that batch's and could deadlock with it.
    func renewLeases(_ ids: [Int64], lease: Duration) async throws -> LeaseRenewal {
        guard !ids.isEmpty else { return LeaseRenewal() }
        let rows = try await pool.query(
            """
            WITH held AS (
                SELECT id FROM login_jobs WHERE id = ANY(\(ids)) AND locked_by = \(workerID)
            ), renewed AS (
                UPDATE login_jobs SET lease_expires_at = now() + make_interval(secs => \(lease.seconds))
                WHERE id IN (
                    SELECT id FROM login_jobs WHERE id = ANY(\(ids)) AND locked_by = \(workerID)
                    FOR UPDATE SKIP LOCKED
                )
                RETURNING id
            )
            SELECT held.id, renewed.id IS NOT NULL AS renewed FROM held LEFT JOIN renewed USING (id)
            """
        )
        var renewal = LeaseRenewal()
        for row in rows {
            let id = try row.decode(Int64.self, "id")
            if try row.decode(Bool.self, "renewed") {
                renewal.renewed.insert(id)
            } else {
                renewal.busy.insert(id)
            }
        }
        return renewal
    }

    /// What one lease renewal found; a job in neither set is no longer this worker's (rescued by
    /// another worker, or finished by an operator).
    struct LeaseRenewal: Sendable, Equatable {
        /// The jobs whose leases were extended.
        var renewed: Set<Int64> = []
        /// The jobs still held whose rows were locked: not renewed this time, not lost either.
        var busy: Set<Int64> = []
    }

    /// After a successful exchange: the provider's tokens sealed, the code and verifier dropped,
    /// `stage = 'profile'`. Losing it only costs a retry, so it does not wait for the WAL flush:
    /// one statement that sets `synchronous_commit = off` for its own implicit transaction
    /// (`set_config(…, true)`), one round trip instead of BEGIN, UPDATE, COMMIT; batched with other
    /// checkpoints (``checkpoints``), for their shared implicit transaction, as one `UPDATE` over
    /// all of them (``checkpointStatement``).
    /// - Returns: false when the job is no longer this worker's.
    func checkpoint(_ fence: JobFence, sealedTokens: [UInt8]) async throws -> Bool {
        try await checkpoints.execute(Checkpoint(fence: fence, sealedTokens: sealedTokens), checkpointStatement) == 1
    }

    /// One job's checkpoint.
    struct Checkpoint: Sendable {
        let fence: JobFence
        let sealedTokens: [UInt8]
    }

    private static func checkpointStatement(workerID: String) -> SetStatement<Checkpoint> {
        SetStatement(
            "worker_checkpoint",
            alone: { checkpoint in
                """
                UPDATE login_jobs
                SET stage = 'profile', kakao_token_sealed = \(checkpoint.sealedTokens), code_sealed = NULL, pkce_verifier_sealed = NULL
                FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit
                WHERE \(fenced(id: "id = \(checkpoint.fence.id)", attempt: "attempt = \(checkpoint.fence.attempt)", workerID: workerID))
                """
            },
            together: { checkpoints in
                """
                UPDATE login_jobs j
                SET stage = 'profile', kakao_token_sealed = c.sealed_tokens, code_sealed = NULL, pkce_verifier_sealed = NULL
                FROM unnest(\(checkpoints.map(\.fence.id)), \(checkpoints.map(\.fence.attempt)), \(checkpoints.map(\.sealedTokens)))
                         WITH ORDINALITY AS c(id, attempt, sealed_tokens, n),
                     (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit
                WHERE \(fenced(id: "j.id = c.id", attempt: "j.attempt = c.attempt", workerID: workerID))
                RETURNING c.n
                """
            }
        )
    }
}
