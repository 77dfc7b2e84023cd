import ServiceLifecycle
import Synchronization

/// What Ctrl-C (SIGINT) or SIGTERM does to `kakao-login dev`, whenever it comes: while starting
/// (the cluster is being initialized, migrations run) the start stops at the next step and
/// everything started so far is stopped; once the services run, their group shuts down
/// gracefully. Either way the PostgreSQL server is stopped last.
final class DevShutdown: Sendable {
    private struct State {
        var requested = false
        var group: ServiceGroup?
    }

    private let state = Mutex(State())

    /// A stop was asked for (a signal came).
    func request() async {
        let group = state.withLock { state -> ServiceGroup? in
            state.requested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// The services now run in `group`: a stop shuts it down (at once if one was asked for already).
    func attach(_ group: ServiceGroup) async {
        let requested = state.withLock { state -> Bool in
            state.group = group
            return state.requested
        }
        if requested { await group.triggerGracefulShutdown() }
    }

    /// Throws `CancellationError` when a stop was asked for: the start goes no further.
    func checkNotRequested() throws {
        if state.withLock({ $0.requested }) { throw CancellationError() }
    }
}
