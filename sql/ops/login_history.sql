-- One login's story: the job (no secret columns), each failed attempt, and the user it produced.
-- Usage: psql -v login_id=<uuid> -f sql/ops/login_history.sql
\x on
SELECT * FROM login_jobs_overview WHERE login_id = :'login_id';
\x off
SELECT e.ordinality AS n, e.entry->>'at' AS at, e.entry->>'attempt' AS attempt, e.entry->>'stage' AS stage,
       e.entry->>'class' AS class, e.entry->>'provider_error' AS provider_error
FROM login_jobs j, jsonb_array_elements(j.errors) WITH ORDINALITY AS e(entry, ordinality)
WHERE j.login_id = :'login_id'
ORDER BY e.ordinality;
SELECT u.id AS user_id, u.display_name, u.created_at, i.provider, i.subject, i.login_count, i.last_login_at
FROM login_jobs j JOIN users u ON u.id = j.user_id JOIN user_identities i ON i.user_id = u.id
WHERE j.login_id = :'login_id';
