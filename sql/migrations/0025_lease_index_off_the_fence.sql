-- 0025_lease_index_off_the_fence.sql — the index of leases, keyed so that fenced writes cannot pick it.
--
-- Every write after a claim is fenced: WHERE id = … AND attempt = … AND locked_by = …
-- AND state = 'running'. login_jobs_leased_idx (lease_expires_at) WHERE state = 'running' matched
-- that state = 'running', so whenever the statistics said few jobs were running (a table of
-- mostly finished jobs, the usual case) the planner walked every running job's entry of it,
-- and the dead entries not yet vacuumed, instead of probing the primary key: the worker's
-- checkpoint cost 0.17 ms alone, and 1.7 ms for seven jobs in one statement, at 64 logins in flight.
--
-- The same index, keyed on the lease: the rules (login_job_rules_hold) keep lease_expires_at set
-- exactly while a job runs, so it holds the same entries, and the rescue (state = 'running' AND
-- lease_expires_at < now(), which implies the new predicate) still reads it in lease order.
DROP INDEX login_jobs_leased_idx;
CREATE INDEX login_jobs_leased_idx ON login_jobs (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
COMMENT ON INDEX login_jobs_leased_idx IS
    'Running jobs by lease end, for the rescue of expired leases. Keyed on the lease, not on state, so fenced writes (state = ''running'') probe the primary key.';
