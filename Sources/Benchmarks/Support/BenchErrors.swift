/// Input a bench cannot run with: a flag's value out of range, a URL that is not
/// `http://HOST:PORT`. The message names the flag, so a command can show it as a usage error.
public struct BenchInputError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// A bench that cannot go on, with the reason.
public struct BenchFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
