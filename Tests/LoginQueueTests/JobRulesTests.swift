import Postgres
import TestSupport
import Testing

/// login_jobs' rules (the named rules of one PL/pgSQL function under one CHECK, migrations 0023 and 0024): each
/// write that breaks one fails with check_violation and the rule's own name, and a row that keeps them all is
/// written.
@Suite("login_jobs rules")
struct JobRulesTests {
    /// A broken rule: the UPDATE that breaks it on a fresh queued job, and the rule it names.
    struct Case: Sendable, CustomTestStringConvertible {
        let set: String
        let rule: String
        var testDescription: String { "\(rule): SET \(set)" }
    }

    static let cases: [Case] = [
        Case(set: "state = 'done'", rule: "login_jobs_state_check"),
        Case(set: "redirect_uri = NULL", rule: "login_jobs_kind_check"),
        Case(set: "kind = 'account_deletion'", rule: "login_jobs_kind_check"),
        // a token login has no code, redirect URI or exchange; it holds its sealed token until it ends
        Case(set: "kind = 'kakao_token', kakao_token_sealed = '\\x01'", rule: "login_jobs_kind_check"),
        Case(set: "\(Self.tokenLogin), stage = 'exchange', kakao_token_sealed = '\\x01'", rule: "login_jobs_stage_check"),
        Case(set: "\(Self.tokenLogin), stage = 'profile'", rule: "login_jobs_kakao_token_held_check"),
        Case(set: "stage = 'consent', code_sealed = NULL, exchange_sent_at = now()", rule: "login_jobs_stage_check"),
        Case(set: "attempt = -1", rule: "login_jobs_attempt_check"),
        Case(set: "deadline_at = created_at", rule: "login_jobs_deadline_check"),
        Case(set: "errors = '{}'", rule: "login_jobs_errors_check"),
        Case(set: "provider = 'Kakao'", rule: "login_jobs_provider_check"),
        // a W3C traceparent or nothing (migration 0022)
        Case(set: "trace_context = 'trace 1'", rule: "login_jobs_trace_context_check"),
        Case(set: "binding_hash = '\\x00'", rule: "login_jobs_hash_length_check"),
        Case(set: "locked_by = 'worker-1'", rule: "login_jobs_queued_check"),
        Case(set: "state = 'running', locked_by = 'worker-1', attempt = 1", rule: "login_jobs_running_check"),
        Case(set: "state = 'failed', failure_code = 'expired'", rule: "login_jobs_finished_check"),
        Case(
            set: "state = 'failed', failure_code = 'expired', finished_at = now(), locked_by = 'worker-1'",
            rule: "login_jobs_finished_unleased_check"
        ),
        Case(set: "state = 'succeeded', finished_at = now(), code_sealed = NULL", rule: "login_jobs_succeeded_check"),
        Case(set: "state = 'failed', finished_at = now()", rule: "login_jobs_failed_check"),
        Case(set: "delivered_at = now()", rule: "login_jobs_delivery_check"),
        Case(set: "stage = 'profile', exchange_sent_at = now()", rule: "login_jobs_code_check"),
        Case(set: "stage = 'profile', code_sealed = NULL", rule: "login_jobs_exchange_sent_check"),
        Case(
            set: "state = 'failed', failure_code = 'expired', finished_at = now(), exchange_sent_at = now()",
            rule: "login_jobs_secrets_check"
        ),
        // a write that breaks two rules names the first by name, as PostgreSQL tries a table's CHECKs
        Case(set: "state = 'done', attempt = -1", rule: "login_jobs_attempt_check"),
        Case(set: "trace_context = 'x', provider = 'Kakao'", rule: "login_jobs_provider_check"),
    ]

    /// The queued job turned into a token login that keeps every rule but the one at hand.
    static let tokenLogin = "kind = 'kakao_token', redirect_uri = NULL, code_sealed = NULL, pkce_verifier_sealed = NULL"

    @Test("\\d login_jobs shows one validated CHECK, whose function names every rule the cases break and no other")
    func shownByPsql() async throws {
        let database = try await TestDatabase.shared.configuration(for: "job_rules", fromTemplate: true)
        try await PostgresConnection.withConnection(configuration: database, logger: TestEnvironment.logger) { connection in
            let rows = try await connection.query(
                """
                SELECT conname, convalidated, pg_get_constraintdef(oid) AS definition
                FROM pg_constraint WHERE conrelid = 'login_jobs'::regclass AND contype = 'c'
                """
            )
            let constraint = try #require(rows.first)
            #expect(rows.count == 1)
            #expect(try constraint.decode(String.self, "conname") == "login_jobs_rules_check")
            #expect(try constraint.decode(Bool.self, "convalidated"))
            #expect(try constraint.decode(String.self, "definition").contains("login_job_rules_hold(login_jobs.*)"))
            // The rule names the function can raise, in the order it tries them: each `THEN '…'` of its CASE.
            let named = try await connection.query(
                """
                SELECT m[1] AS rule
                FROM regexp_matches(pg_get_functiondef('login_job_rules_hold(login_jobs)'::regprocedure),
                                    'THEN ''(login_jobs_[a-z_]+_check)''', 'g') WITH ORDINALITY AS t(m, n)
                ORDER BY n
                """
            )
            let order = try named.map { try $0.decode(String.self, "rule") }
            let names = Set(order)
            #expect(names == Set(Self.cases.map(\.rule)))
            #expect(order.count == names.count)
            // PostgreSQL tries a table's CHECKs in the order of their names (strcmp), so the function does.
            #expect(order == order.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            #expect(names.count == 20)
        }
    }

    @Test("a write that breaks a rule is refused, naming the rule", arguments: cases)
    func broken(_ rule: Case) async throws {
        try await withQueuedJob { connection, id in
            let error = await #expect(throws: PostgresError.self) {
                try await connection.execute(SQLQuery(unsafeSQL: "UPDATE login_jobs SET \(rule.set) WHERE id = \(id)"))
            }
            #expect(error?.sqlState == "23514")
            #expect(error?.constraintName == rule.rule)
            let state = try await connection.query("SELECT state FROM login_jobs WHERE id = \(id)").first?.decode(String.self, "state")
            #expect(state == "queued")
        }
    }

    @Test("writes that keep every rule pass: a claim, and a job failed before its code was sent keeps the code")
    func kept() async throws {
        try await withQueuedJob { connection, id in
            try await connection.execute(
                """
                UPDATE login_jobs SET state = 'running', attempt = 1, locked_by = 'worker-1', started_at = now(),
                    lease_expires_at = now() + interval '30 seconds'
                WHERE id = \(id)
                """
            )
            try await connection.execute(
                """
                UPDATE login_jobs SET state = 'failed', failure_code = 'expired', finished_at = now(),
                    locked_by = NULL, lease_expires_at = NULL
                WHERE id = \(id)
                """
            )
            let row = try #require(
                try await connection.query("SELECT state, code_sealed IS NOT NULL AS kept FROM login_jobs WHERE id = \(id)").first
            )
            #expect(try row.decode(String.self, "state") == "failed")
            #expect(try row.decode(Bool.self, "kept"))
        }
    }

    /// Runs `body` with a new queued job (a code kept sealed, nothing sent) in the suite's database.
    private func withQueuedJob(_ body: (PostgresConnection, Int64) async throws -> Void) async throws {
        let database = try await TestDatabase.shared.configuration(for: "job_rules", fromTemplate: true)
        try await PostgresConnection.withConnection(configuration: database, logger: TestEnvironment.logger) { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO login_jobs (redirect_uri, binding_hash, code_hmac, code_sealed)
                VALUES ('http://127.0.0.1/cb', sha256(gen_random_uuid()::text::bytea), sha256(gen_random_uuid()::text::bytea), '\\x01')
                RETURNING id
                """
            )
            try await body(connection, try #require(inserted.first).decode(Int64.self, "id"))
        }
    }
}
