import Foundation
import KakaoAPI
import OAuthClientSupport
import Testing

@Suite("Defensive decoding of user/me")
struct UserDecodingTests {
    struct NotAUser: Error {}

    static func decode(_ json: String) throws -> KakaoUser {
        guard let user = JSONValue(parsing: json.utf8).flatMap(KakaoUser.init(json:)) else { throw NotAUser() }
        return user
    }

    @Test func idAbove2To53IsExact() throws {
        #expect(try Self.decode(#"{"id":1376016924426814086}"#).id == 1_376_016_924_426_814_086)
        #expect(try Self.decode(#"{"id":9223372036854775807}"#).id == .max)
    }

    @Test func minimalShapes() throws {
        for json in [
            #"{"id":1}"#,
            #"{"id":1,"kakao_account":{}}"#,
            #"{"id":1,"kakao_account":{"profile_needs_agreement":true}}"#,
            #"{"id":1,"kakao_account":{"email_needs_agreement":true,"has_email":true}}"#,
            #"{"id":1,"properties":{}}"#,
            #"{"id":1,"kakao_account":"weird","properties":["weird"],"connected_at":12}"#,
            #"{"id":1,"kakao_account":{"profile":{"nickname":7,"is_default_image":"yes"},"email":null,"is_email_valid":"true"}}"#,
        ] {
            let user = try Self.decode(json)
            #expect(user.id == 1)
            #expect(user.email == nil)
            #expect(!user.emailVerified)
        }
    }

    @Test func emailVerifiedNeedsBothFlags() throws {
        let both = try Self.decode(#"{"id":1,"kakao_account":{"email":"a@b.c","is_email_valid":true,"is_email_verified":true}}"#)
        #expect(both.emailVerified)
        let onlyValid = try Self.decode(#"{"id":1,"kakao_account":{"email":"a@b.c","is_email_valid":true}}"#)
        #expect(!onlyValid.emailVerified)
        let invalid = try Self.decode(#"{"id":1,"kakao_account":{"email":"a@b.c","is_email_valid":false,"is_email_verified":true}}"#)
        #expect(!invalid.emailVerified)
        #expect(!both.description.contains("a@b.c"))
    }

    @Test func needsAgreementFlagsBecomeScopeIDs() throws {
        let user = try Self.decode(
            #"{"id":1,"kakao_account":{"email_needs_agreement":true,"profile_image_needs_agreement":true,"gender_needs_agreement":false,"ci_needs_agreement":true}}"#
        )
        #expect(user.itemsNeedingAgreement == ["account_email", "profile_image", "account_ci"])
        #expect(user.emailNeedsAgreement)
    }

    @Test func profileWinsOverLegacyProperties() throws {
        let user = try Self.decode(
            #"{"id":1,"connected_at":"2022-04-11T01:45:28Z","properties":{"nickname":"legacy"},"kakao_account":{"profile":{"nickname":"new"}}}"#
        )
        #expect(user.nickname == "new")
        #expect(user.connectedAt == Date(timeIntervalSince1970: 1_649_641_528))
    }

    @Test func noIDIsAnError() {
        for json in [#"{}"#, #"{"id":"abc"}"#, #"{"id":1.5}"#, #"[]"#, #"{"id":9223372036854775808}"#, #"{"id":null}"#] {
            #expect(throws: UserDecodingTests.NotAUser.self) { try Self.decode(json) }
        }
    }
}
