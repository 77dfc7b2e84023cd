import Foundation
import Postgres

extension QueueOperations {
    /// The shortest retention a purge accepts: a late re-post of a code must still find its job
    /// (the code's HMAC lives on the job) for at least an hour.
    public static let minimumPurgeAge: Duration = .seconds(3600)

    /// Deletes finished jobs (except failed account deletions, which wait for a retry) and
    /// attempts older than `age`, 5,000 rows per statement until none is left, as
    /// `sql/ops/purge_old_jobs.sql` does.
    /// - Returns: the jobs and attempts deleted.
    /// - Precondition: `age` is at least ``minimumPurgeAge`` (the command refuses less).
    public func purge(olderThan age: Duration) async throws -> (jobs: Int, attempts: Int) {
        precondition(age >= Self.minimumPurgeAge, "purge keeps at least an hour")
        var (jobs, attempts) = (0, 0)
        while true {
            let deletedJobs = try await pool.execute(
                """
                DELETE FROM login_jobs WHERE id IN (
                    SELECT id FROM login_jobs
                    WHERE finished_at < now() - make_interval(secs => \(age.seconds))
                      AND NOT (kind = 'account_deletion' AND state = 'failed')
                    ORDER BY finished_at LIMIT 5000)
                """
            )
            let deletedAttempts = try await pool.execute(
                """
                DELETE FROM login_attempts WHERE id IN (
                    SELECT id FROM login_attempts WHERE expires_at < now() - make_interval(secs => \(age.seconds))
                    ORDER BY expires_at LIMIT 5000)
                """
            )
            jobs += deletedJobs
            attempts += deletedAttempts
            if deletedJobs < 5000 && deletedAttempts < 5000 { return (jobs, attempts) }
        }
    }
}
