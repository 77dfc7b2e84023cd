import Foundation
import LoginAPI
import NIOHTTP1
import Postgres
import TestSupport
import Testing

/// Explicit account linking over HTTP: `"link": true` with a Bearer token, the refusals that
/// change nothing, `GET /me` and `/me/identities`, and unlinking.
@Suite("Identity linking")
struct IdentityLinkingTests {
    @Test("a link adds the identity to the signed-in user, delivers no tokens, and /me lists it")
    func linkAddsIdentity() async throws {
        try await Harness.run { harness in
            let login = try await harness.logIn(userID: 7001)
            let access = try #require(login["access_token"] as? String)
            let userID = try #require((login["user"] as? [String: Any])?["id"] as? String)
            // The user's own identity again: a no-op link, still theirs.
            let again = try await harness.link(userID: 7001, bearer: access)
            #expect(again.status == 200, "\(again.body)")
            let json = try again.object()
            #expect(json["status"] as? String == "succeeded")
            #expect(json["linked"] as? Bool == true)
            #expect(json["access_token"] == nil)
            #expect(json["refresh_token"] == nil)
            #expect((json["user"] as? [String: Any])?["id"] as? String == userID)

            let me = try await harness.send(.GET, "/me", headers: [("Authorization", "Bearer \(access)")])
            #expect(me.status == 200)
            #expect(try me.object()["providers"] as? [String] == ["kakao"])
            let identities = try await harness.send(.GET, "/me/identities", headers: [("Authorization", "Bearer \(access)")])
            #expect(identities.status == 200)
            let list = try #require(try identities.object()["identities"] as? [[String: Any]])
            #expect(list.count == 1)
            #expect(list.first?["provider"] as? String == "kakao")
            #expect(list.first?["linked_at"] is String)
            // One session: the link minted none.
            #expect(try await harness.rowCounts().sessions == 1)
        }
    }

    @Test("linking another user's identity is 409 identity_already_linked and changes nothing")
    func identityOfAnotherUser() async throws {
        try await Harness.run { harness in
            let first = try await harness.logIn(userID: 7101)
            let second = try await harness.logIn(userID: 7102)
            let secondAccess = try #require(second["access_token"] as? String)
            let before = try await identityOwners(harness)

            let refused = try await harness.link(userID: 7101, bearer: secondAccess)
            #expect(refused.status == 409, "\(refused.body)")
            #expect(try refused.object()["status"] as? String == "failed")
            #expect(try refused.errorCode() == "identity_already_linked")
            #expect(try await identityOwners(harness) == before)
            #expect(before["7101"] == (first["user"] as? [String: Any])?["id"] as? String)
            #expect(try await harness.rowCounts().sessions == 2)
        }
    }

    @Test("a second identity of a provider the user has linked is 409 provider_already_linked")
    func secondIdentityOfAProvider() async throws {
        try await Harness.run { harness in
            let login = try await harness.logIn(userID: 7201)
            let access = try #require(login["access_token"] as? String)
            let users = try await harness.rowCounts().users

            let refused = try await harness.link(userID: 7202, bearer: access)
            #expect(refused.status == 409, "\(refused.body)")
            #expect(try refused.errorCode() == "provider_already_linked")
            // The refused identity was not created, nor a user for it.
            #expect(try await identityOwners(harness)["7202"] == nil)
            #expect(try await harness.rowCounts().users == users)
        }
    }

    @Test("a link without a valid Bearer token is refused before any attempt is made")
    func linkNeedsBearer() async throws {
        try await Harness.run(Harness.Options(worker: false)) { harness in
            let missing = try await harness.send(.POST, "/auth/kakao/start", body: #"{"link": true}"#)
            #expect(missing.status == 401)
            #expect(try missing.errorCode() == "invalid_access_token")
            let forged = try await harness.send(
                .POST,
                "/auth/kakao/start",
                headers: [("Authorization", "Bearer not.a.token")],
                body: #"{"link": true}"#
            )
            #expect(forged.status == 401)
            #expect(try await harness.rowCounts().attempts == 0)
            // "link": false is an ordinary sign-in.
            let plain = try await harness.send(.POST, "/auth/kakao/start", body: #"{"link": false}"#)
            #expect(plain.status == 200)
        }
    }

    @Test("unlink: 204 with another identity left, 409 last_identity, 404 for a provider not linked")
    func unlink() async throws {
        try await Harness.run { harness in
            let login = try await harness.logIn(userID: 7301)
            let access = try #require(login["access_token"] as? String)
            let userID = try #require((login["user"] as? [String: Any])?["id"] as? String)
            let bearer = [("Authorization", "Bearer \(access)")]

            let last = try await harness.send(.DELETE, "/me/identities/kakao", headers: bearer)
            #expect(last.status == 409)
            #expect(try last.errorCode() == "last_identity")
            let unknown = try await harness.send(.DELETE, "/me/identities/naver", headers: bearer)
            #expect(unknown.status == 404)
            let anonymous = try await harness.send(.DELETE, "/me/identities/kakao")
            #expect(anonymous.status == 401)

            // A second identity (as a Google login would have linked it).
            try await harness.pool.execute(
                """
                INSERT INTO user_identities (provider, subject, user_id, email, email_verified)
                VALUES ('google', 'g-7301', \(try #require(UUID(uuidString: userID))), 'someone@example.com', true)
                """
            )
            let me = try await harness.send(.GET, "/me", headers: bearer)
            #expect(try me.object()["providers"] as? [String] == ["kakao", "google"])

            let unlinked = try await harness.send(.DELETE, "/me/identities/kakao", headers: bearer)
            #expect(unlinked.status == 204)
            let after = try await harness.send(.GET, "/me", headers: bearer)
            #expect(after.status == 200, "the session outlives the unlink")
            #expect(try after.object()["providers"] as? [String] == ["google"])
            let again = try await harness.send(.DELETE, "/me/identities/kakao", headers: bearer)
            #expect(again.status == 404)

            // The unlinked Kakao identity signs in as a new user.
            let relogin = try await harness.logIn(userID: 7301)
            #expect(relogin["is_new_user"] as? Bool == true)
            #expect((relogin["user"] as? [String: Any])?["id"] as? String != userID)
        }
    }

    /// The user id of each Kakao subject's linked identity.
    private func identityOwners(_ harness: Harness) async throws -> [String: String] {
        let rows = try await harness.pool.query(
            "SELECT subject, user_id::text AS user_id FROM user_identities WHERE unlinked_at IS NULL"
        )
        var owners: [String: String] = [:]
        for row in rows { owners[try row.decode(String.self, "subject")] = try row.decode(String.self, "user_id") }
        return owners
    }
}
