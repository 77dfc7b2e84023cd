import Foundation
import NIOCore
import NIOFoundationCompat

/// The emulator's `/_emulator/*` endpoints a bench reads: the stats and the time spent per user.
struct EmulatorControl: Sendable {
    let connection: HTTPConnection
    let endpoint: BenchEndpoint

    /// Ids per `GET /_emulator/elapsed` (well under the emulator's limit and any URL limit).
    static let elapsedBatch = 200

    /// `GET /_emulator/stats`: every integer member by name.
    func stats() async throws -> [String: Int] {
        let answer = try await connection.send(.get("/_emulator/stats", host: endpoint.hostHeader, headers: []))
        guard answer.status == 200, let object = try JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [String: Any]
        else { throw BenchFailure("GET /_emulator/stats answered \(answer.status)") }
        return object.compactMapValues { $0 as? Int }
    }

    /// `GET /_emulator/elapsed` for every id, in batches: milliseconds per user.
    func elapsed(userIDs: [String]) async throws -> [String: Double] {
        var found: [String: Double] = [:]
        for start in stride(from: 0, to: userIDs.count, by: Self.elapsedBatch) {
            let ids = userIDs[start..<min(start + Self.elapsedBatch, userIDs.count)].joined(separator: ",")
            let answer = try await connection.send(.get("/_emulator/elapsed?user_ids=\(ids)", host: endpoint.hostHeader, headers: []))
            guard answer.status == 200,
                let object = try JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [String: Any],
                let milliseconds = object["elapsed_ms"] as? [String: Double]
            else { throw BenchFailure("GET /_emulator/elapsed answered \(answer.status): is the emulator this build's?") }
            found.merge(milliseconds) { $1 }
        }
        return found
    }
}
