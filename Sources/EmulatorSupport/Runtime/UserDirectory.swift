/// A provider account an emulator can make up for an id it does not know.
package protocol DirectoryUser: Sendable {
    associatedtype ID: Hashable & Sendable
    /// The provider's id of the account (Kakao's number, Google's `sub`).
    var directoryID: ID { get }
    /// An account made up for an unknown id.
    static func synthetic(_ id: ID) -> Self
}

/// The accounts an emulator knows: the named test users, and the synthetic ones it made up for
/// unknown ids (kept, so that a user is the same at every call).
package struct UserDirectory<User: DirectoryUser> {
    private var users: [User.ID: User]

    package init(_ named: [User]) {
        users = Dictionary(named.map { ($0.directoryID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The user with this id, made up on the spot when unknown.
    package mutating func user(_ id: User.ID) -> User {
        if let user = users[id] { return user }
        let user = User.synthetic(id)
        users[id] = user
        return user
    }

    /// The user with this id, if known (named or made up before).
    package subscript(known id: User.ID) -> User? { users[id] }

    /// Every user known so far.
    package var all: Dictionary<User.ID, User>.Values { users.values }
}
