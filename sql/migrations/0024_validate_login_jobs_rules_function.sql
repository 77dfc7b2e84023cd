-- 0024_validate_login_jobs_rules_function.sql — check every existing row of login_jobs against its rules.
--
-- 0023 added login_jobs_rules_check NOT VALID: new and updated rows were checked from then on, and
-- the rows already there had kept the same rules under the 20 constraints it replaced. Validating
-- scans the table under a SHARE UPDATE EXCLUSIVE lock, so the API and the workers go on reading and
-- writing meanwhile; afterwards `\d login_jobs` no longer says NOT VALID, and a dump restores the
-- constraint as valid.

ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_rules_check;
