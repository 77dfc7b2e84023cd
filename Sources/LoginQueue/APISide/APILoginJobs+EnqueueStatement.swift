import Foundation
import Postgres

extension APILoginJobs {
    /// The statement that enqueues a posted code: alone, it inserts the one job; the codes of a
    /// group-committed batch (``enqueues``) go in one `INSERT` over all of them instead, which
    /// means the same for each code:
    ///
    /// - a code already known (under any sealing key) is not inserted, nor is the second of two
    ///   posts of one code in the batch (the unique index on `code_hmac`, `DO NOTHING`);
    /// - an attempt takes one code, the first posted, and is used up only by the job it got;
    /// - the workers are woken once, when any of the batch's enqueues was to wake them.
    ///
    /// Anything else that breaks (a `login_id` taken, say) fails the whole `INSERT`, and the
    /// batch is sent again one code at a time (``GroupCommit``), each with the answer it gets alone.
    static func enqueueStatement(_ reader: CodeEnqueue.Reader) -> SetStatement<CodeEnqueue> {
        switch reader {
        case .attempt: attemptEnqueue
        case .pollToken: pollTokenEnqueue
        }
    }

    private static let attemptEnqueue = SetStatement("login_enqueue_attempt", alone: enqueueAlone, together: enqueueWithAttempts)
    private static let pollTokenEnqueue = SetStatement("login_enqueue_poll_token", alone: enqueueAlone, together: enqueueWithPollTokens)

    /// One code's enqueue: its job, unless the code is known; for an attempt, the attempt's
    /// details, locked and used up.
    private static func enqueueAlone(_ post: CodeEnqueue) -> SQLQuery {
        let codeIsNew: SQLFragment = "NOT EXISTS \(LoginJobsTable.jobsWithCode(post.fingerprints, columns: "1"))"
        let source: SQLFragment
        // An attempt is used up by the statement that inserts its job.
        var markUsed: SQLFragment = ""
        switch post.reader {
        case .attempt(let stateHash, let redirectURI):
            source = """
                SELECT id AS attempt_id, provider, pkce_verifier_sealed, nonce, redirect_uri, link_user_id FROM login_attempts
                WHERE binding_hash = \(post.binding) AND state_hash = \(stateHash) AND provider = \(post.provider)
                  AND used_at IS NULL AND expires_at > now()
                  AND (\(redirectURI)::text IS NULL OR redirect_uri = \(redirectURI)::text) AND \(codeIsNew)
                FOR UPDATE
                """
            markUsed = """
                used AS (
                    UPDATE login_attempts a SET used_at = now(), pkce_verifier_sealed = NULL
                    FROM source WHERE a.id = source.attempt_id
                ),
                """
        case .pollToken(let redirectURI):
            source = """
                SELECT NULL::uuid AS attempt_id, \(post.provider)::text AS provider, NULL::bytea AS pkce_verifier_sealed,
                       NULL::text AS nonce, \(redirectURI)::text AS redirect_uri, NULL::uuid AS link_user_id
                WHERE \(codeIsNew)
                """
        }
        return """
            WITH source AS (\(source)), \(markUsed) job AS (
                INSERT INTO login_jobs (\(enqueuedColumns))
                SELECT \(post.loginID), provider, attempt_id, redirect_uri, nonce, \(post.binding), \(post.fingerprints[0]), \(post.sealedCode),
                       pkce_verifier_sealed, now() + make_interval(secs => \(post.deadlineSeconds)), link_user_id, \(post.traceContext)::text
                FROM source
                ON CONFLICT (code_hmac) DO NOTHING
                RETURNING login_id
            )
            SELECT (SELECT login_id FROM job) AS login_id, \(wakingWorkers(post.notifies)) AS notified
            """
    }

    /// The enqueues of a batch's codes posted with attempts, in one `INSERT`.
    private static func enqueueWithAttempts(_ posts: [CodeEnqueue]) -> SQLQuery {
        let attempts = posts.map { post -> (stateHash: [UInt8], redirectURI: String?) in
            guard case .attempt(let stateHash, let redirectURI) = post.reader else {
                preconditionFailure("a poll-token post among attempts")
            }
            return (stateHash, redirectURI)
        }
        let input = Self.input(posts, redirectURIs: attempts.map(\.redirectURI), more: [("state_hash", "\(attempts.map(\.stateHash))")])
        return """
            WITH \(input), locked AS (
                SELECT i.n, i.login_id, i.binding_hash, i.code_hmac, i.code_sealed, i.trace_context, i.deadline_seconds,
                       a.id AS attempt_id, a.provider, a.pkce_verifier_sealed, a.nonce, a.redirect_uri, a.link_user_id
                FROM input i JOIN login_attempts a
                  ON a.binding_hash = i.binding_hash AND a.state_hash = i.state_hash AND a.provider = i.provider
                WHERE a.used_at IS NULL AND a.expires_at > now()
                  AND (i.redirect_uri IS NULL OR a.redirect_uri = i.redirect_uri) AND \(codeIsNew(posts))
                FOR UPDATE OF a
            ), source AS (
                -- an attempt takes one code: the first posted
                SELECT DISTINCT ON (attempt_id) * FROM locked ORDER BY attempt_id, n
            ), \(insertingJobs), used AS (
                UPDATE login_attempts a SET used_at = now(), pkce_verifier_sealed = NULL
                FROM job WHERE a.id = job.attempt_id
            )
            \(answers(posts))
            """
    }

    /// The enqueues of a batch's codes posted in the stateless flow, in one `INSERT`.
    private static func enqueueWithPollTokens(_ posts: [CodeEnqueue]) -> SQLQuery {
        let redirectURIs = posts.map { post -> String? in
            guard case .pollToken(let redirectURI) = post.reader else { preconditionFailure("an attempt's post among poll tokens") }
            return redirectURI
        }
        return """
            WITH \(input(posts, redirectURIs: redirectURIs)), source AS (
                SELECT i.*, NULL::uuid AS attempt_id, NULL::text AS nonce, NULL::bytea AS pkce_verifier_sealed, NULL::uuid AS link_user_id
                FROM input i WHERE \(codeIsNew(posts))
            ), \(insertingJobs)
            \(answers(posts))
            """
    }

    /// Each inserted job's `login_id` for the post that inserted it: of the posts in `source`
    /// with that `login_id`, the first, since the `INSERT` takes them in order and skips a code
    /// it has. (Posts share a `login_id` here only when they post one code, a re-post: with two
    /// codes, the second would break the unique index on `login_id` and fail the statement.)
    private static func answers(_ posts: [CodeEnqueue]) -> SQLFragment {
        """
        SELECT DISTINCT ON (job.login_id) s.n, job.login_id, \(wakingWorkers(posts.contains(where: \.notifies))) AS notified
        FROM job JOIN source s USING (login_id)
        ORDER BY job.login_id, s.n
        """
    }

    /// `job AS (…)`: the jobs of the posts in `source`, in the order posted; a code the table
    /// holds, or an earlier post of the batch, inserts nothing.
    private static let insertingJobs: SQLFragment = """
        job AS (
            INSERT INTO login_jobs (\(enqueuedColumns))
            SELECT login_id, provider, attempt_id, redirect_uri, nonce, binding_hash, code_hmac, code_sealed,
                   pkce_verifier_sealed, now() + make_interval(secs => deadline_seconds), link_user_id, trace_context
            FROM source ORDER BY n
            ON CONFLICT (code_hmac) DO NOTHING
            RETURNING login_id, attempt_id
        )
        """

    private static let enqueuedColumns: SQLFragment = """
        login_id, provider, attempt_id, redirect_uri, nonce, binding_hash, code_hmac, code_sealed,
        pkce_verifier_sealed, deadline_at, link_user_id, trace_context
        """

    /// A `pg_notify` to the workers when `notifies` and the statement inserted a job.
    private static func wakingWorkers(_ notifies: Bool) -> SQLFragment {
        "(SELECT count(*) FROM (SELECT pg_notify(\(LoginNotifications.jobsChannel), '') FROM job WHERE \(notifies) LIMIT 1) AS n)"
    }

    /// `input AS (…)`: the posts as rows numbered from 1 (`n`), with the code's stored HMAC as
    /// `code_hmac` and the HMACs under older keys as `code_hmac_1`, `code_hmac_2`, …
    private static func input(_ posts: [CodeEnqueue], redirectURIs: [String?], more: [(String, SQLFragment)] = []) -> SQLFragment {
        var columns: [(String, SQLFragment)] = [
            ("login_id", "\(posts.map(\.loginID))"),
            ("provider", "\(posts.map(\.provider))"),
            ("binding_hash", "\(posts.map(\.binding))"),
            ("redirect_uri", "\(redirectURIs)"),
            ("code_sealed", "\(posts.map(\.sealedCode))"),
            ("trace_context", "\(posts.map(\.traceContext))"),
            ("deadline_seconds", "\(posts.map(\.deadlineSeconds))"),
        ]
        columns += more
        for key in posts[0].fingerprints.indices {
            columns.append((fingerprintColumn(key), "\(posts.map { $0.fingerprints[key] })"))
        }
        let arrays = columns.map(\.1).joined(separator: ", ")
        let names = columns.map(\.0).joined(separator: ", ")
        return "input AS (SELECT * FROM unnest(\(arrays)) WITH ORDINALITY AS i(\(SQLFragment(stringLiteral: names)), n))"
    }

    private static func fingerprintColumn(_ key: Int) -> String { key == 0 ? "code_hmac" : "code_hmac_\(key)" }

    /// That input row `i`'s code is in no job, under any key: one probe of the unique index per
    /// key, each a subquery of its own (an aggregate, so never turned into a join that could
    /// scan the table).
    private static func codeIsNew(_ posts: [CodeEnqueue]) -> SQLFragment {
        posts[0].fingerprints.indices.map { key -> SQLFragment in
            "(SELECT count(*) FROM login_jobs j WHERE j.code_hmac = i.\(SQLFragment(stringLiteral: fingerprintColumn(key)))) = 0"
        }.joined(separator: " AND ")
    }
}
