-- 0022_job_trace_context.sql — the trace a job belongs to.
--
-- With tracing on (OTEL_EXPORTER_OTLP_ENDPOINT), the API stores the W3C traceparent of the
-- request that enqueued a job (a code login, a native app's token login, an account deletion);
-- the worker's spans for the job (claim, exchange, checkpoint, profile, complete) join that
-- trace. NULL when tracing is off. Not a secret: it names a trace, nothing more, and stays after
-- the job ends, so an operator can go from a failed login to its trace.

ALTER TABLE login_jobs
    ADD COLUMN trace_context text,
    ADD CONSTRAINT login_jobs_trace_context_check
        CHECK (trace_context ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');
COMMENT ON COLUMN login_jobs.trace_context IS 'W3C traceparent of the API request that enqueued the job; NULL when tracing is off.';
