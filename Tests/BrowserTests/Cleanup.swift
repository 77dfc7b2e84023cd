/// Runs clean-up work to its end even when the calling task was cancelled: WebDriver's DELETE and
/// the waits for a process group to exit must not be cut short by a cancelled test.
enum Cleanup {
    /// Runs `work` in a detached task (which does not inherit cancellation) and waits for it.
    static func run(_ work: @escaping @Sendable () async -> Void) async {
        await Task.detached(operation: work).value
    }
}
