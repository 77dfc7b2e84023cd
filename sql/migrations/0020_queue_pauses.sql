-- 0020_queue_pauses.sql — pausing the queue (`kakao-login queue pause|resume`, sql/ops/pause_queue.sql).
--
-- A row here stops every worker from claiming jobs of that provider ('*': of every provider,
-- account deletions included) within about a second — their claim statement skips paused
-- providers — while jobs already running finish. Deleting the row resumes; workers report the
-- pauses on /readyz and as the login_queue_paused gauge.

CREATE TABLE queue_pauses (
    provider   text        PRIMARY KEY,
    paused_at  timestamptz NOT NULL DEFAULT now(),
    paused_by  text        NOT NULL DEFAULT current_user,
    reason     text,
    CONSTRAINT queue_pauses_provider_check CHECK (provider = '*' OR provider ~ '^[a-z][a-z0-9_]{0,31}$'),
    CONSTRAINT queue_pauses_reason_check CHECK (char_length(reason) <= 200)
);
COMMENT ON TABLE queue_pauses IS 'Paused providers (login_jobs.provider, or * for all): workers claim none of their jobs.';
