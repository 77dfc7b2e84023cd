import Foundation
import Postgres

/// What both sides of the queue agree on about `login_jobs`: where its sealed values belong and
/// how a code is looked up. (The API side writes and reads jobs in ``APILoginJobs``, the worker
/// side in ``WorkerLoginJobs``.)
enum LoginJobsTable {
    /// Where a job's sealed authorization code belongs.
    static func codeContext(_ loginID: UUID) -> SealingContext {
        SealingContext(table: "login_jobs", column: "code", rowKey: loginID.uuidString.lowercased())
    }

    /// Where the refresh token kept for re-delivery belongs.
    static func refreshTokenContext(_ loginID: UUID) -> SealingContext {
        SealingContext(table: "login_jobs", column: "refresh_token", rowKey: loginID.uuidString.lowercased())
    }

    /// Where the provider's tokens of the checkpoint belong. (The context keeps its first name,
    /// `kakao_token`, so values sealed before a provider was added still open.)
    static func providerTokensContext(_ loginID: UUID) -> SealingContext {
        SealingContext(table: "login_jobs", column: "kakao_token", rowKey: loginID.uuidString.lowercased())
    }

    /// The provider's tokens sealed for the checkpoint column: by the worker after an exchange,
    /// by the API for a native app's tokens (which need none).
    static func seal(_ tokens: ProviderTokens, loginID: UUID, with sealing: SealingKeys) throws -> [UInt8] {
        try sealing.seal(try JSONEncoder().encode(tokens), for: providerTokensContext(loginID))
    }

    /// The checkpoint column's provider tokens.
    static func openProviderTokens(_ sealed: [UInt8], loginID: UUID, with sealing: SealingKeys) throws -> ProviderTokens {
        try JSONDecoder().decode(ProviderTokens.self, from: Data(try sealing.open(sealed, for: providerTokensContext(loginID))))
    }

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
