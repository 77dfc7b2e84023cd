/// When an emulator's state forgets what can no longer matter: at most once a minute (emulated
/// time), so that a full sweep stays rare and the state's lock stays short under load.
package struct PruneSchedule {
    private var last: Double?

    package init() {}

    /// True when a sweep is due at `now` (and records it); the first call only starts the clock.
    package mutating func isDue(now: Double) -> Bool {
        guard let last else {
            self.last = now
            return false
        }
        guard now - last >= 60 else { return false }
        self.last = now
        return true
    }
}
