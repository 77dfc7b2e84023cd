import Foundation
import Synchronization

/// Bounds how many long-polls wait at once, per client (``APIRequestContext/clientKey``) and per
/// login. A poll beyond either bound is answered at once, as a poll with `wait=0` would be: the
/// client still learns the status, and a client cannot pin an unbounded number of waiting
/// requests (and their memory) on a process.
final class PollSlots: Sendable {
    private struct Counts {
        var byClient: [IPNetwork?: Int] = [:]
        var byLogin: [UUID: Int] = [:]
    }

    /// A held slot; give it back with ``release(_:)``.
    struct Slot: Sendable {
        let client: IPNetwork?
        let loginID: UUID
    }

    let perClient: Int
    let perLogin: Int
    private let counts = Mutex(Counts())

    init(perClient: Int, perLogin: Int) {
        self.perClient = max(1, perClient)
        self.perLogin = max(1, perLogin)
    }

    /// A slot for a waiting poll of `loginID` by `client`, or nil when either is at its bound.
    func acquire(client: IPNetwork?, loginID: UUID) -> Slot? {
        counts.withLock { counts in
            guard counts.byClient[client, default: 0] < perClient, counts.byLogin[loginID, default: 0] < perLogin else { return nil }
            counts.byClient[client, default: 0] += 1
            counts.byLogin[loginID, default: 0] += 1
            return Slot(client: client, loginID: loginID)
        }
    }

    func release(_ slot: Slot) {
        counts.withLock { counts in
            Self.decrement(&counts.byClient, slot.client)
            Self.decrement(&counts.byLogin, slot.loginID)
        }
    }

    /// Polls waiting now, for tests and metrics.
    var waiting: Int { counts.withLock { $0.byLogin.values.reduce(0, +) } }

    private static func decrement<Key: Hashable>(_ counts: inout [Key: Int], _ key: Key) {
        guard let count = counts[key] else { return }
        if count <= 1 { counts.removeValue(forKey: key) } else { counts[key] = count - 1 }
    }
}
