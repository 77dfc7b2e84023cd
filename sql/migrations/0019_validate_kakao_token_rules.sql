-- 0019_validate_kakao_token_rules.sql — check every existing row of login_jobs against the
-- rules 0018 added NOT VALID (the rows already there are logins and deletions, which kept the
-- same rules before). Validating scans the table under a SHARE UPDATE EXCLUSIVE lock: the API
-- and the workers go on reading and writing meanwhile.

ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_kind_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_stage_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_succeeded_check;
ALTER TABLE login_jobs VALIDATE CONSTRAINT login_jobs_kakao_token_held_check;
