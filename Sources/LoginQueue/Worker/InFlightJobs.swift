import NIOConcurrencyHelpers

/// The jobs a worker runs right now, their lease deadlines, and the jobs to hand back at
/// shutdown. Shared by the claim loop, the job tasks and the lease renewer.
final class InFlightJobs: Sendable {
    struct Entry: Sendable {
        var job: ClaimedJob
        var progress: JobRunner.Progress
        /// When the lease ends unless renewed (monotonic clock).
        var leaseEnds: ContinuousClock.Instant
        /// Its final write is on its way: a renewal that misses it is that write's doing.
        var completing = false
    }

    private struct State {
        var entries: [Int64: Entry] = [:]
        var releases: [(ClaimedJob, codeNeverSent: Bool)] = []
        var shuttingDown = false
    }

    private let state = NIOLockedValueBox(State())

    var count: Int { state.withLockedValue { $0.entries.count } }
    var ids: [Int64] { state.withLockedValue { Array($0.entries.keys) } }
    var isShuttingDown: Bool { state.withLockedValue { $0.shuttingDown } }

    func add(_ job: ClaimedJob, progress: JobRunner.Progress, lease: Duration) {
        state.withLockedValue { $0.entries[job.id] = Entry(job: job, progress: progress, leaseEnds: job.claimedAt + lease) }
    }

    func remove(_ id: Int64) {
        state.withLockedValue { _ = $0.entries.removeValue(forKey: id) }
    }

    /// Leases renewed at `renewedAt`; returns the ids that were not renewed and are no longer
    /// held (lost). A busy job keeps the lease it had.
    func renewed(
        _ renewal: WorkerLoginJobs.LeaseRenewal,
        asked: [Int64],
        renewedAt: ContinuousClock.Instant,
        lease: Duration
    ) -> [Int64] {
        state.withLockedValue { state in
            var lost: [Int64] = []
            for id in asked {
                if renewal.renewed.contains(id) {
                    state.entries[id]?.leaseEnds = renewedAt + lease
                } else if !renewal.busy.contains(id), state.entries[id]?.completing == false {
                    lost.append(id)
                }
            }
            return lost
        }
    }

    /// The job's final write is on its way (it may commit before the job task removes it).
    func markCompleting(_ id: Int64) {
        state.withLockedValue { $0.entries[id]?.completing = true }
    }

    /// When this worker's lease on a job ends (monotonic clock), if it still runs it.
    func leaseEnds(_ id: Int64) -> ContinuousClock.Instant? {
        state.withLockedValue { $0.entries[id]?.leaseEnds }
    }

    func beginShutdown() {
        state.withLockedValue { $0.shuttingDown = true }
    }

    func addRelease(_ job: ClaimedJob, codeNeverSent: Bool) {
        state.withLockedValue { $0.releases.append((job, codeNeverSent)) }
    }

    func takeReleases() -> [(ClaimedJob, codeNeverSent: Bool)] {
        state.withLockedValue { state in
            defer { state.releases = [] }
            return state.releases
        }
    }
}
