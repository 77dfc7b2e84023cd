-- What `kakao-login queue stuck` prints. Running jobs whose lease expired: their worker died or lost the database. Any worker takes
-- them again on its next claim; many rows here for long means no worker is claiming.
SELECT id, login_id, kind, provider, stage, attempt, locked_by, lease_expires_at, now() - lease_expires_at AS expired_for,
       exchange_sent_at IS NOT NULL AS code_maybe_sent, deadline_at
FROM login_jobs
WHERE state = 'running' AND lease_expires_at < now()
ORDER BY lease_expires_at
LIMIT 50;

-- The oldest runnable jobs: a growing age means workers are too few, Kakao is slow, or an
-- operator paused the queue (SELECT * FROM queue_pauses).
SELECT id, login_id, kind, provider, stage, attempt, run_at, now() - created_at AS age, deadline_at, provider_error
FROM login_jobs
WHERE state = 'queued' AND run_at <= now()
ORDER BY run_at, id
LIMIT 50;
