-- The queue at a glance: counts by state, the oldest runnable job, expired leases, the last 5 minutes.
\x on
SELECT * FROM login_queue_summary;
\x off
-- Failures of the last hour by reason and Kakao error code (never Kakao's text).
SELECT * FROM login_failures_recent;
