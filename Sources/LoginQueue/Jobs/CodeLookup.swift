import Postgres

extension SQLQuery.StringInterpolation {
    /// The jobs that hold a code, as a parenthesised subquery with `columns`: one probe of the
    /// unique index on `code_hmac` per fingerprint (one per sealing key), joined by `UNION ALL`.
    ///
    /// Equalities, not an array or `IN` list: a generic plan cached while `login_jobs` was still
    /// small would otherwise scan the whole table on every enqueue once it has grown.
    mutating func appendInterpolation(jobsWithCode fingerprints: [[UInt8]], columns: StaticString) {
        appendLiteral("(")
        for (index, fingerprint) in fingerprints.enumerated() {
            if index > 0 { appendLiteral(" UNION ALL ") }
            appendLiteral("SELECT \(columns) FROM login_jobs WHERE code_hmac = ")
            appendInterpolation(fingerprint)
        }
        appendLiteral(")")
    }
}
