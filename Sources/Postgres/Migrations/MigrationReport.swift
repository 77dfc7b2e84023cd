/// What a ``Migrator/migrate(on:)`` run did.
public struct MigrationReport: Sendable {
    /// Migrations this run applied, in order.
    public var applied: [Migration]
    /// Migrations that were applied before this run (by it or others).
    public var alreadyApplied: Int
}
