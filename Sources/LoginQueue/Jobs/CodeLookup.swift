import Postgres

extension LoginJobs {
    /// The jobs that hold a code, as a parenthesised subquery with `columns`: one probe of the
    /// unique index on `code_hmac` per fingerprint (one per sealing key), joined by `UNION ALL`.
    ///
    /// Equalities, not an array or `IN` list: a generic plan cached while `login_jobs` was still
    /// small would otherwise scan the whole table on every enqueue once it has grown.
    static func jobsWithCode(_ fingerprints: [[UInt8]], columns: SQLFragment) -> SQLFragment {
        let probes = fingerprints.map { fingerprint -> SQLFragment in
            "SELECT \(columns) FROM login_jobs WHERE code_hmac = \(fingerprint)"
        }
        return "(\(probes.joined(separator: " UNION ALL ")))"
    }
}
