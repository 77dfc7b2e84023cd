/// An emulator's stats: the counts every emulator keeps (``EmulatorStats``, read through as
/// members: `stats.tokenRequestsTotal`) and its own.
@dynamicMemberLookup
public protocol ProviderStats: Sendable, Hashable {
    /// The counts every emulator keeps.
    var common: EmulatorStats { get }
}

extension ProviderStats {
    public subscript<Value>(dynamicMember member: KeyPath<EmulatorStats, Value>) -> Value {
        common[keyPath: member]
    }
}
