/// A value read from `login_jobs` that this code does not know (a state, stage, failure code or
/// retry class): an error, never a default. A stage read as `exchange` by default, say, could
/// present a code again. The table's rules make it impossible for the columns the queue writes;
/// it guards against a row written by hand or by another version.
struct UnreadableJob: Error, Sendable, CustomStringConvertible {
    /// The column (or JSON member) that did not read.
    let column: String

    var description: String { "login_jobs.\(column) holds a value this version does not know" }
}
