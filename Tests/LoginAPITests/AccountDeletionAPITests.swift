import Foundation
import KakaoEmulator
import LoginAPI
import NIOHTTP1
import Postgres
import TestSupport
import Testing

/// `DELETE /me` and `GET /me/deletion/{deletion_id}` over HTTP, with a worker and the Kakao
/// emulator: the sessions end at once, the deletion runs through the queue, and the refusals
/// change nothing.
@Suite("Account deletion over HTTP")
struct AccountDeletionAPITests {
    @Test("DELETE /me: 202 with a deletion id, every session ends at once, the poll reaches succeeded; asking again is the same deletion")
    func deletesTheAccount() async throws {
        try await Harness.run { harness in
            let first = try await harness.logIn(userID: 8101)
            let second = try await harness.logIn(userID: 8101)
            let bearer = [("Authorization", "Bearer \(try #require(first["access_token"] as? String))")]
            let otherBearer = [("Authorization", "Bearer \(try #require(second["access_token"] as? String))")]

            let accepted = try await harness.send(.DELETE, "/me", headers: bearer)
            #expect(accepted.status == 202, "\(accepted.body)")
            #expect(accepted.headers["Cache-Control"].first == "no-store")
            let deletionID = try #require(try accepted.object()["deletion_id"] as? String)
            #expect(try accepted.object()["status"] as? String == "pending")

            for headers in [bearer, otherBearer] {
                let me = try await harness.send(.GET, "/me", headers: headers)
                #expect(me.status == 401)
                #expect(try me.errorCode() == "session_revoked")
            }
            let refreshToken = try #require(second["refresh_token"] as? String)
            let refreshed = try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(refreshToken)"}"#)
            #expect(refreshed.status == 401, "\(refreshed.body)")

            // A client that lost the answer asks again with the same token: the same deletion.
            let again = try await harness.send(.DELETE, "/me", headers: otherBearer)
            #expect(again.status == 202)
            #expect(try again.object()["deletion_id"] as? String == deletionID)

            var final: [String: Any] = [:]
            try await waitUntil("the deletion finished") {
                let answer = try await harness.send(.GET, "/me/deletion/\(deletionID)", headers: bearer)
                try #require(answer.status == 200, "\(answer.body)")
                final = try answer.object()
                return final["status"] as? String != "pending"
            }
            #expect(final["status"] as? String == "succeeded", "\(final)")
            #expect(final["finished_at"] is String)
            #expect(harness.emulator.stats.unlinkTotal == 1)
            let jobs = try await harness.pool.query("SELECT count(*) AS n FROM login_jobs WHERE kind = 'account_deletion'").single()
            #expect(try jobs.decode(Int.self, "n") == 1)

            let back = try await harness.logIn(userID: 8101)
            #expect(back["is_new_user"] as? Bool == true, "a deleted user who logs in again is a new user")
        }
    }

    @Test("another user's deletion id, an unknown or malformed one: 404; no or a bad token: 401; nothing changes")
    func refusals() async throws {
        try await Harness.run { harness in
            let owner = try await harness.logIn(userID: 8201)
            let stranger = try await harness.logIn(userID: 8202)
            let ownerBearer = [("Authorization", "Bearer \(try #require(owner["access_token"] as? String))")]
            let strangerBearer = [("Authorization", "Bearer \(try #require(stranger["access_token"] as? String))")]
            let accepted = try await harness.send(.DELETE, "/me", headers: ownerBearer)
            let deletionID = try #require(try accepted.object()["deletion_id"] as? String)

            for id in [deletionID, UUID().uuidString.lowercased(), "not-a-deletion"] {
                let answer = try await harness.send(.GET, "/me/deletion/\(id)", headers: strangerBearer)
                #expect(answer.status == 404, "\(id): \(answer.body)")
                #expect(try answer.errorCode() == "not_found")
            }
            let before = try await harness.rowCounts()
            for headers in [[], [("Authorization", "Bearer not-a-token")], [("Authorization", "Basic eDp5")]] {
                let answer = try await harness.send(.DELETE, "/me", headers: headers)
                #expect(answer.status == 401, "\(headers): \(answer.body)")
                #expect(try await harness.send(.GET, "/me/deletion/\(deletionID)", headers: headers).status == 401)
            }
            #expect(try await harness.rowCounts() == before)
            #expect(try await harness.send(.GET, "/me", headers: strangerBearer).status == 200, "the stranger is untouched")
        }
    }
}
