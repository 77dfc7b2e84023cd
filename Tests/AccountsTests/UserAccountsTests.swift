import Accounts
import Foundation
import Postgres
import Testing

@Suite("UserAccounts: unified signup and login")
struct UserAccountsTests {
    static let suite = "accounts_users"

    /// The identity row of (`kakao`, subject).
    struct IdentityRow {
        let userID: UUID
        let nickname: String?
        let profileImageURL: String?
        let email: String?
        let emailVerified: Bool
        let loginCount: Int
        let lastLoginAt: Date
    }

    func identity(_ subject: String, _ fixture: AccountsFixture) async throws -> IdentityRow {
        let row = try await fixture.pool.query(
            """
            SELECT user_id, nickname, profile_image_url, email, email_verified, login_count, last_login_at
            FROM user_identities WHERE provider = 'kakao' AND subject = \(subject)
            """
        ).single()
        return IdentityRow(
            userID: try row.decode(UUID.self, "user_id"),
            nickname: try row.decode(String?.self, "nickname"),
            profileImageURL: try row.decode(String?.self, "profile_image_url"),
            email: try row.decode(String?.self, "email"),
            emailVerified: try row.decode(Bool.self, "email_verified"),
            loginCount: try row.decode(Int.self, "login_count"),
            lastLoginAt: try row.decode(Date.self, "last_login_at")
        )
    }

    func user(_ id: UUID, _ fixture: AccountsFixture) async throws -> UserRecord {
        let row = try await fixture.pool.query("SELECT \(UserRecord.columns(of: "u")) FROM users u WHERE u.id = \(id)").single()
        return try UserRecord(row: row)
    }

    @Test("the identity keeps the consent items its provider last listed; a login that lists none keeps them")
    func consentScopes() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let subject = AccountsFixture.freshSubject()
            func stored() async throws -> [String]? {
                try await fixture.pool.query(
                    "SELECT consent_scopes FROM user_identities WHERE provider = 'kakao' AND subject = \(subject)"
                ).single().decode([String]?.self, "consent_scopes")
            }
            let listed = ["profile_nickname", "openid", "Not A Scope", "profile_nickname"]
            _ = try await fixture.upsert(ProviderProfile(provider: "kakao", subject: subject, consentScopes: listed))
            #expect(try await stored() == ["openid", "profile_nickname"])
            _ = try await fixture.upsert(ProviderProfile(provider: "kakao", subject: subject))
            #expect(try await stored() == ["openid", "profile_nickname"])
            _ = try await fixture.upsert(
                ProviderProfile(provider: "kakao", subject: subject, consentScopes: ["account_email", "openid", "profile_nickname"])
            )
            #expect(try await stored() == ["account_email", "openid", "profile_nickname"])
        }
    }

    @Test("a new user is created from the profile")
    func newUser() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let subject = AccountsFixture.freshSubject()
            let upserted = try await fixture.upsert(
                ProviderProfile(
                    provider: "kakao",
                    subject: subject,
                    nickname: "라이언",
                    profileImageURL: "https://img.example/l.png",
                    thumbnailImageURL: "https://img.example/t.png",
                    email: "ryan@example.com",
                    emailVerified: true
                )
            )
            #expect(upserted.isNewUser)

            let record = try await user(upserted.userID, fixture)
            #expect(record.id == upserted.userID)
            #expect(record.displayName == "라이언")
            #expect(record.profileImageURL == "https://img.example/l.png")
            #expect(record.email == "ryan@example.com")
            #expect(record.emailVerified)

            let row = try await identity(subject, fixture)
            #expect(row.userID == upserted.userID)
            #expect(row.loginCount == 1)
            #expect(row.emailVerified)
        }
    }

    @Test("the same user again: not new, identity refreshed, what the user edited kept, empty fields filled")
    func sameUserAgain() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let subject = AccountsFixture.freshSubject()
            let first = try await fixture.upsert(ProviderProfile(provider: "kakao", subject: subject, nickname: "old nick"))
            let before = try await identity(subject, fixture)
            // The user edits their display name in the app.
            try await fixture.pool.execute("UPDATE users SET display_name = 'edited by user' WHERE id = \(first.userID)")

            let second = try await fixture.upsert(
                ProviderProfile(
                    provider: "kakao",
                    subject: subject,
                    nickname: "new nick",
                    profileImageURL: "https://img.example/new.png",
                    email: "later@example.com",
                    emailVerified: true
                )
            )
            #expect(second.userID == first.userID)
            #expect(!second.isNewUser)

            let after = try await identity(subject, fixture)
            #expect(after.nickname == "new nick")
            #expect(after.profileImageURL == "https://img.example/new.png")
            #expect(after.email == "later@example.com")
            #expect(after.loginCount == 2)
            #expect(after.lastLoginAt >= before.lastLoginAt)

            let record = try await user(first.userID, fixture)
            #expect(record.displayName == "edited by user")
            #expect(record.profileImageURL == "https://img.example/new.png")
            #expect(record.email == "later@example.com")
            #expect(record.emailVerified)

            // A later login without consent items clears the identity's copy, never the user's.
            _ = try await fixture.upsert(ProviderProfile(provider: "kakao", subject: subject))
            let cleared = try await identity(subject, fixture)
            #expect(cleared.nickname == nil && cleared.email == nil && !cleared.emailVerified)
            #expect(cleared.loginCount == 3)
            let kept = try await user(first.userID, fixture)
            #expect(kept.displayName == "edited by user" && kept.email == "later@example.com" && kept.emailVerified)
        }
    }

    @Test("missing email, nickname and profile are normal; empty strings count as missing")
    func missingFields() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let bare = try await fixture.upsert(ProviderProfile(provider: "kakao", subject: AccountsFixture.freshSubject()))
            #expect(bare.isNewUser)
            let record = try await user(bare.userID, fixture)
            #expect(record.displayName == nil && record.profileImageURL == nil && record.email == nil && !record.emailVerified)

            let subject = AccountsFixture.freshSubject()
            let blank = try await fixture.upsert(
                ProviderProfile(
                    provider: "kakao",
                    subject: subject,
                    nickname: "  ",
                    profileImageURL: "",
                    email: " \0 ",
                    emailVerified: true
                )
            )
            let blankRecord = try await user(blank.userID, fixture)
            #expect(blankRecord.displayName == nil && blankRecord.profileImageURL == nil && blankRecord.email == nil)
            #expect(!blankRecord.emailVerified)
            #expect(try await identity(subject, fixture).email == nil)
        }
    }

    @Test(
        "a 64-bit id above 2^53 is stored verbatim as the subject",
        arguments: [("9007199254740993", "9007199254740992"), ("9223372036854775807", "9223372036854775808")]
    )
    func largeSubject(subject: String, afterDoubleRoundTrip: String) async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let upserted = try await fixture.upsert(ProviderProfile(provider: "kakao", subject: subject, nickname: "big"))
            let stored = try await fixture.pool.query("SELECT subject FROM user_identities WHERE user_id = \(upserted.userID)")
                .single().decode(String.self, "subject")
            #expect(stored == subject)
            // What a trip through a Double would make of the id is another identity.
            let other = try await fixture.upsert(ProviderProfile(provider: "kakao", subject: afterDoubleRoundTrip))
            #expect(other.userID != upserted.userID)
            #expect(try await fixture.upsert(ProviderProfile(provider: "kakao", subject: subject)).userID == upserted.userID)
        }
    }

    @Test("concurrent logins of one identity make one user and never deadlock")
    func concurrentUpserts() async throws {
        let logins = 8
        try await AccountsFixture.run(suite: Self.suite, connections: logins) { fixture in
            let subject = AccountsFixture.freshSubject()
            for round in 1...2 {
                let results = try await withThrowingTaskGroup(of: UpsertedUser.self) { group in
                    for index in 0..<logins {
                        group.addTask {
                            try await fixture.pool.withTransaction { connection in
                                let upserted = try await fixture.users.upsert(
                                    ProviderProfile(provider: "kakao", subject: subject, nickname: "login \(index)"),
                                    on: connection
                                )
                                // Keep the transaction open so that the others pile up behind it.
                                try await connection.execute("SELECT pg_sleep(0.05)")
                                return upserted
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(Set(results.map(\.userID)).count == 1)
                #expect(results.filter(\.isNewUser).count == (round == 1 ? 1 : 0))
                let row = try await identity(subject, fixture)
                #expect(row.loginCount == logins * round)
                #expect(row.userID == results[0].userID)
            }
            let users = try await fixture.pool.query(
                "SELECT count(*) AS n FROM users u JOIN user_identities i ON i.user_id = u.id WHERE i.subject = \(subject)"
            ).single().decode(Int.self, "n")
            #expect(users == 1)
        }
    }

    @Test("email_verified: only a verified email counts, and it follows the address it belongs to")
    func emailVerifiedRules() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            // Verified without an address is impossible.
            #expect(!ProviderProfile(provider: "kakao", subject: "1", email: nil, emailVerified: true).emailVerified)

            // An unverified address is kept, unverified; the provider verifying it later upgrades it.
            let subject = AccountsFixture.freshSubject()
            let user = try await fixture.upsert(
                ProviderProfile(provider: "kakao", subject: subject, email: "a@example.com", emailVerified: false)
            )
            var record = try await self.user(user.userID, fixture)
            #expect(record.email == "a@example.com" && !record.emailVerified)
            #expect(try await identity(subject, fixture).emailVerified == false)
            _ = try await fixture.upsert(ProviderProfile(provider: "kakao", subject: subject, email: "a@example.com", emailVerified: true))
            record = try await self.user(user.userID, fixture)
            #expect(record.emailVerified)

            // The user changes their address (unverified in the app): the provider's verified
            // other address neither replaces it nor verifies it.
            try await fixture.pool.execute(
                "UPDATE users SET email = 'mine@example.com', email_verified = false WHERE id = \(user.userID)"
            )
            _ = try await fixture.upsert(ProviderProfile(provider: "kakao", subject: subject, email: "a@example.com", emailVerified: true))
            record = try await self.user(user.userID, fixture)
            #expect(record.email == "mine@example.com" && !record.emailVerified)
            #expect(try await identity(subject, fixture).emailVerified)

            // A provider that stops vouching never downgrades the user's verified address.
            try await fixture.pool.execute("UPDATE users SET email_verified = true WHERE id = \(user.userID)")
            _ = try await fixture.upsert(
                ProviderProfile(provider: "kakao", subject: subject, email: "mine@example.com", emailVerified: false)
            )
            #expect(try await self.user(user.userID, fixture).emailVerified)
            #expect(try await identity(subject, fixture).emailVerified == false)
        }
    }

    @Test("a malformed provider or subject is refused before any statement: the caller's transaction goes on")
    func invalidProfile() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            for profile in [
                ProviderProfile(provider: "Kakao", subject: "1"),
                ProviderProfile(provider: "kakao; drop", subject: "1"),
                ProviderProfile(provider: "", subject: "1"),
                ProviderProfile(provider: String(repeating: "k", count: 33), subject: "1"),
                ProviderProfile(provider: "kakao", subject: ""),
                ProviderProfile(provider: "kakao", subject: String(repeating: "9", count: 256)),
            ] {
                let stillUsable = try await fixture.pool.withTransaction { connection in
                    let error = await #expect(throws: AccountsError.self) { _ = try await fixture.users.upsert(profile, on: connection) }
                    #expect(error?.code == .invalidProfile)
                    return try await connection.query("SELECT 1 AS one").single().decode(Int.self, "one")
                }
                #expect(stillUsable == 1)
            }
            let stored = try await fixture.pool.query(
                "SELECT count(*) AS n FROM user_identities WHERE provider <> 'kakao' OR subject IN ('1', '')"
            ).single().decode(Int.self, "n")
            #expect(stored == 0)
        }
    }

    @Test("UserRecord's JSON: snake_case keys, lowercase id, ISO 8601 created_at, null for what is missing")
    func userRecordJSON() throws {
        let id = UUID()
        let record = UserRecord(
            id: id,
            displayName: "라이언",
            profileImageURL: nil,
            email: "ryan@example.com",
            emailVerified: true,
            createdAt: Date(timeIntervalSince1970: 1_790_000_000.125)
        )
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as! [String: Any]
        #expect(Set(json.keys) == ["id", "display_name", "profile_image_url", "email", "email_verified", "created_at"])
        #expect(json["id"] as? String == id.uuidString.lowercased())
        #expect(json["display_name"] as? String == "라이언")
        #expect(json["profile_image_url"] is NSNull)
        #expect(json["email_verified"] as? Bool == true)
        #expect(json["created_at"] as? String == "2026-09-21T14:13:20.125Z")
        #expect(try JSONDecoder().decode(UserRecord.self, from: JSONEncoder().encode(record)) == record)
    }
}
