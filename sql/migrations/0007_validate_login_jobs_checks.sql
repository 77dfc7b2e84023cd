-- 0007_validate_login_jobs_checks.sql — check every existing row of login_jobs against its rules.
--
-- 0006 added the 17 rules NOT VALID: new and updated rows were checked from then on, and the rows
-- already there kept the same rules under the constraint 0006 replaced. Validating scans the table
-- under a SHARE UPDATE EXCLUSIVE lock, so the API and the workers go on reading and writing
-- meanwhile; afterwards `\d login_jobs` no longer says NOT VALID.

ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_state_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_stage_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_attempt_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_deadline_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_errors_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_provider_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_hash_length_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_queued_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_running_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_finished_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_finished_unleased_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_succeeded_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_failed_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_delivery_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_code_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_exchange_sent_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_secrets_check;
