/// A statement that the callers of a ``GroupCommit`` batch can share: alone, a caller's row is
/// its own statement (`alone`); in a batch, the rows of every caller of this statement go to the
/// server as one set-based statement (`together`), whose executor start-up, plan and per-statement
/// work then serve them all.
///
/// `together` gets the rows in arrival order and must give each result row an `n` column: the
/// 1-based position of the input row it answers (`unnest(…) WITH ORDINALITY AS i(…, n)`). Each
/// caller gets the rows that name its position, and as ``PostgresRows/affectedRows`` their
/// number. The two forms must mean the same for each row: a batch whose set-based statement
/// fails (a constraint violation, say) is sent again as each caller's `alone` statement, each in
/// its own transaction, so that each caller gets the answer it would get alone.
///
/// ```swift
/// let done = SetStatement<Int64>(
///     "finish_job",
///     alone: { id in "UPDATE jobs SET state = 'done' WHERE id = \(id)" },
///     together: { ids in
///         """
///         UPDATE jobs j SET state = 'done' FROM unnest(\(ids)) WITH ORDINALITY AS i(id, n)
///         WHERE j.id = i.id RETURNING i.n
///         """
///     }
/// )
/// let finished = try await completions.execute(id, done) == 1
/// ```
public struct SetStatement<Row: Sendable>: Sendable {
    /// Names the statement: the rows of one batch whose statements have the same name and row
    /// type are folded together.
    public let name: String
    let alone: @Sendable (Row) -> SQLQuery
    let together: @Sendable ([Row]) -> SQLQuery

    public init(
        _ name: String,
        alone: @escaping @Sendable (Row) -> SQLQuery,
        together: @escaping @Sendable ([Row]) -> SQLQuery
    ) {
        self.name = name
        self.alone = alone
        self.together = together
    }

    /// What a batch needs to fold `row` with the other rows of this statement.
    func fold(_ row: Row) -> SetStatementFold {
        let together = self.together
        return SetStatementFold(key: SetStatementFold.Key(name: name, rowType: ObjectIdentifier(Row.self)), row: row) { rows in
            let typed = rows.compactMap { $0 as? Row }
            precondition(typed.count == rows.count, "rows of another type under one set statement's key")
            return together(typed)
        }
    }
}

/// One caller's row of a ``SetStatement``, with its type erased so that a batch can hold the
/// rows of several statements.
struct SetStatementFold: Sendable {
    /// The statement's name and row type.
    struct Key: Hashable, Sendable {
        let name: String
        let rowType: ObjectIdentifier
    }

    let key: Key
    let row: any Sendable
    let together: @Sendable ([any Sendable]) -> SQLQuery
}
