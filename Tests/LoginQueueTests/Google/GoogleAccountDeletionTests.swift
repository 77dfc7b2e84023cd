import Foundation
import GoogleEmulator
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// Deleting an account that signed in with Google (and linked nothing else): the grant is
/// revoked at Google with the token kept sealed on the identity.
@Suite("Google account deletion through the queue")
struct GoogleAccountDeletionTests {
    @Test("the deletion revokes the Google grant with the stored refresh token, then erases the account")
    func revokesAtGoogle() async throws {
        try await GoogleWorld.run { world in
            let result = try await world.login()
            let userID = try #require(result.success?.userID)
            #expect(world.emulator.stats.refreshTokensIssuedTotal == 1, "the authorize URL asks for offline access")
            let stored = try await world.harness.pool.query(
                "SELECT provider_token_sealed FROM user_identities WHERE user_id = \(userID)"
            ).single().decode([UInt8]?.self, "provider_token_sealed")
            #expect(stored != nil, "the token that revokes the grant is kept, sealed")

            let deletionID = try await world.harness.deletions.request(userID: userID)
            let status = try await world.withWorker { try await world.harness.waitForDeletion(deletionID, userID: userID) }
            guard case .succeeded = status else {
                Issue.record("deletion ended \(status)")
                return
            }
            #expect(world.emulator.stats.revokeTotal == 1)
            #expect(world.emulator.stats.revocationsTotal == 1, "the grant was revoked, not an unknown token")
            try await world.harness.expectErased(userID, disconnected: true)
        }
    }

    @Test("a grant the user already revoked at Google (invalid_token) counts as done")
    func alreadyRevoked() async throws {
        try await GoogleWorld.run { world in
            let userID = try #require(try await world.login().success?.userID)
            let deletionID = try await world.harness.deletions.request(userID: userID)
            let first = try await world.withWorker { try await world.harness.waitForDeletion(deletionID, userID: userID) }
            guard case .succeeded = first else {
                Issue.record("deletion ended \(first)")
                return
            }
            // The same token again: Google answers invalid_token, which is "already revoked".
            let sealed = try await world.harness.pool.query(
                "SELECT count(*) AS n FROM user_identities WHERE user_id = \(userID) AND provider_token_sealed IS NULL"
            ).single().decode(Int.self, "n")
            #expect(sealed == 1, "the token is dropped once the grant is revoked")
            try await world.provider.disconnect(subject: GoogleWorld.alice, token: "a-token-google-never-issued")
            #expect(world.emulator.stats.revokeTotal == 2)
        }
    }
}
