-- 0017_identity_consent.sql — incremental consent (issue 14, item 4).
--
-- A signed-in user can be asked for more consent items later (POST /auth/kakao/start with
-- "scope"); the identity remembers the items its provider says were granted (Kakao's token
-- answer `scope`), refreshed at every login. A login that fails because a required item is
-- missing (Kakao's -402) keeps the items to ask for, so the frontend can start again with them.
-- Both are scope ids such as account_email, never provider text. Only new columns: this file
-- applies the same with or without the migrations numbered before it that came later.

ALTER TABLE user_identities
    ADD COLUMN consent_scopes text[];
COMMENT ON COLUMN user_identities.consent_scopes IS
    'Consent items granted, as the provider last said (Kakao: the token answer''s scope, sorted); NULL when it never said.';

ALTER TABLE login_jobs
    ADD COLUMN required_scopes text[];
COMMENT ON COLUMN login_jobs.required_scopes IS
    'For a consent_required failure: the consent items to ask for (Kakao''s required_scopes of -402), else NULL.';
