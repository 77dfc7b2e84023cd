-- Pause the queue: workers stop claiming jobs of that provider within about a second (their
-- claim skips paused providers); jobs already running finish. `-v provider='*'` pauses every
-- provider, account deletions included. What `kakao-login queue pause` runs.
-- Provider names are as login_jobs.provider stores them: kakao, google, kakao_emulator,
-- google_emulator, account. Zero rows means: it was paused already (see queue_pauses).
-- Usage: psql -v provider=kakao -v reason='Kakao incident 1234' -f sql/ops/pause_queue.sql
INSERT INTO queue_pauses (provider, reason) VALUES (:'provider', nullif(:'reason', ''))
ON CONFLICT (provider) DO NOTHING
RETURNING provider, paused_at, paused_by, reason;
