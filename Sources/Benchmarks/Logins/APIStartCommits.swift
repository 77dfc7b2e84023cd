import NIOCore

/// How many transactions the API has committed for `/start`, from its `GET /metrics`: since
/// `/start`s are group-committed, one transaction may hold many, so their count is not the
/// number of `/start`s answered. Nil when the API does not export it (a build before
/// `/start` was batched, whose every `/start` was its own transaction).
struct APIStartCommits: Sendable {
    let connection: HTTPConnection
    let endpoint: BenchEndpoint

    /// The series counting the batches of `/start` inserts (a statement alone is a batch of one).
    static let series = #"db_group_commit_batch_size_count{group="login_attempt"}"#

    func read() async throws -> Int64? {
        let answer = try await connection.send(.get("/metrics", host: endpoint.hostHeader, headers: []))
        guard answer.status == 200 else { return nil }
        return Self.count(in: String(buffer: answer.body))
    }

    /// The value of ``series`` in a Prometheus text exposition, if it is there.
    static func count(in exposition: String) -> Int64? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)).map { Int64($0) }
        }
        return nil
    }
}
