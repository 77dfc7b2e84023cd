import Foundation
import KakaoEmulator
import LoginAPI
import NIOHTTP1
import Postgres
import TestSupport
import Testing

/// Long-polls are woken by the worker's NOTIFY on the API's one listener connection. The
/// re-check timer is set longer than the wait here, so only a notification (or the listener's
/// reconnection) can end a wait with `succeeded`.
@Suite("Long-poll")
struct LongPollTests {
    static var options: Harness.Options {
        var options = Harness.Options(worker: false)
        options.api.pollRecheckInterval = .seconds(120)
        return options
    }

    @Test("a waiting poll is answered when the worker completes the login")
    func wakesOnCompletion() async throws {
        try await Harness.run(Self.options) { harness in
            try await waitUntil("the listener is in place") { try await harness.send(.GET, "/readyz").status == 200 }
            let attempt = try await harness.start()
            let posted = try await harness.postCode(try harness.code(for: attempt), attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            let answer = try await harness.withWorker {
                try await harness.poll(loginID, wait: 30, headers: [("X-Login-Attempt", attempt.token)])
            }
            #expect(answer.status == 200)
            #expect(try answer.object()["status"] as? String == "succeeded")
        }
    }

    @Test("a poll waiting while the listener reconnects is still answered")
    func survivesListenerReconnect() async throws {
        try await Harness.run(Self.options) { harness in
            try await waitUntil("the listener is in place") { try await harness.listenerPID() != nil }
            let attempt = try await harness.start()
            let posted = try await harness.postCode(try harness.code(for: attempt), attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            async let polled = harness.poll(loginID, wait: 30, headers: [("X-Login-Attempt", attempt.token)])

            let old = try #require(try await harness.listenerPID())
            _ = try await harness.pool.query("SELECT pg_terminate_backend(\(old)::int)")
            try await waitUntil("the listener is back") {
                guard let pid = try await harness.listenerPID() else { return false }
                return pid != old
            }
            try await harness.withWorker {
                try await waitUntil("the worker finished the login") {
                    try await harness.pool.query("SELECT 1 FROM login_jobs WHERE state = 'succeeded'").first != nil
                }
            }
            let answer = try await polled
            #expect(answer.status == 200)
            #expect(try answer.object()["status"] as? String == "succeeded")
        }
    }

    @Test("wait out of range is 400 invalid_request")
    func waitOutOfRange() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let attempt = try await harness.start()
            let posted = try await harness.postCode(try harness.code(for: attempt), attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            for wait in ["31", "-1", "abc", "1.5", ""] {
                let answer = try await harness.send(
                    .GET,
                    "/auth/kakao/login/\(loginID)?wait=\(wait)",
                    headers: [("X-Login-Attempt", attempt.token)]
                )
                #expect(answer.status == 400, "wait=\(wait)")
                #expect(try answer.errorCode() == "invalid_request")
            }
        }
    }
}

extension Harness {
    /// The backend pid of the API's `LISTEN login_done` connection, if it is connected.
    func listenerPID() async throws -> Int? {
        try await pool.query(
            """
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND query ILIKE 'LISTEN%login_done%' AND pid <> pg_backend_pid()
            """
        ).first?.decode(Int.self, "pid")
    }
}
