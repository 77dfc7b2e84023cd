/// The one error type of the `LocalPostgres` module.
///
/// ``description`` is the code and a summary: paths, exit statuses and the last lines a tool
/// printed. Those never hold a password (a local cluster trusts its socket; child processes get
/// secrets through their environment, never their arguments).
public struct LocalPostgresError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case clusterFailed
            case processFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A local PostgreSQL cluster could not be created, started or stopped (its binaries are
        /// missing, a tool failed, the folder is unusable).
        public static let clusterFailed = Self(.clusterFailed)
        /// A child process could not be started, or its exit could not be waited for.
        public static let processFailed = Self(.processFailed)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What failed and, when known, what to do about it.
    public var summary: String

    /// Creates an error.
    public init(_ code: Code, _ summary: String) {
        self.code = code
        self.summary = summary
    }

    /// `LocalPostgresError.<code>: <summary>`.
    public var description: String { "LocalPostgresError.\(code): \(summary)" }
}
