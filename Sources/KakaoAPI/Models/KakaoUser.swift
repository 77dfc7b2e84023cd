import Foundation
import OAuthClientSupport

/// A Kakao user from `/v2/user/me`, in provider-neutral terms. Every field but `id` may be
/// missing (not consented, not configured for the app, no email on the account, a legacy app
/// with `properties` only): that is normal, never an error. `description` hides the email.
public struct KakaoUser: Sendable, Hashable, JSONReadable, CustomStringConvertible {
    /// The service user id (회원번호), exact to 64 bits.
    public let id: Int64
    /// When the user linked the app.
    public let connectedAt: Date?
    /// `kakao_account.profile.nickname`, else the legacy `properties.nickname`.
    public let nickname: String?
    /// Profile image URL (640×640), from the profile or the legacy properties.
    public let profileImageURL: String?
    /// Thumbnail URL (110×110), from the profile or the legacy properties.
    public let thumbnailImageURL: String?
    /// Kakao's default image (no photo chosen).
    public let isDefaultImage: Bool?
    /// Kakao's default nickname.
    public let isDefaultNickname: Bool?
    /// `kakao_account.email`; trust it only with ``emailVerified``.
    public let email: String?
    /// `is_email_valid` (false when absent).
    public let isEmailValid: Bool
    /// `is_email_verified` (false when absent).
    public let isEmailVerified: Bool
    /// Real name, gender, age range, birthday (MMDD), birth year, phone number, when consented.
    public let name: String?
    public let gender: String?
    public let ageRange: String?
    public let birthday: String?
    public let birthyear: String?
    public let phoneNumber: String?
    /// Consent items Kakao says could be asked for (`*_needs_agreement: true`), as scope ids
    /// (`account_email`, `profile_nickname`, …).
    public let itemsNeedingAgreement: Set<String>
    /// `has_signed_up`, only for apps with manual sign-up.
    public let hasSignedUp: Bool?

    /// True only when there is an email and Kakao says it is both valid and verified.
    public var emailVerified: Bool { email != nil && isEmailValid && isEmailVerified }

    /// The email needs consent before Kakao gives it.
    public var emailNeedsAgreement: Bool { itemsNeedingAgreement.contains("account_email") }

    package init?(json: JSONValue) {
        guard let id = json["id"]?.id64 else { return nil }
        self.id = id
        connectedAt = json["connected_at"]?.string.flatMap { try? Date($0, strategy: .iso8601) }
        hasSignedUp = json["has_signed_up"]?.bool
        let properties = json["properties"]
        let account = json["kakao_account"]?.object
        let profile = account?["profile"]
        nickname = profile?["nickname"]?.string ?? properties?["nickname"]?.string
        profileImageURL = profile?["profile_image_url"]?.string ?? properties?["profile_image"]?.string
        thumbnailImageURL = profile?["thumbnail_image_url"]?.string ?? properties?["thumbnail_image"]?.string
        isDefaultImage = profile?["is_default_image"]?.bool
        isDefaultNickname = profile?["is_default_nickname"]?.bool
        email = account?["email"]?.string
        isEmailValid = account?["is_email_valid"]?.bool ?? false
        isEmailVerified = account?["is_email_verified"]?.bool ?? false
        name = account?["name"]?.string
        gender = account?["gender"]?.string
        ageRange = account?["age_range"]?.string
        birthday = account?["birthday"]?.string
        birthyear = account?["birthyear"]?.string
        phoneNumber = account?["phone_number"]?.string
        var needing = Set<String>()
        for (key, value) in account ?? [:] where key.hasSuffix("_needs_agreement") && value.bool == true {
            let item = String(key.dropLast("_needs_agreement".count))
            needing.insert(Self.scopeIDs[item] ?? item)
        }
        itemsNeedingAgreement = needing
    }

    /// `kakao_account` key prefixes whose consent item id differs.
    private static let scopeIDs = ["email": "account_email", "ci": "account_ci"]

    public var description: String {
        "KakaoUser(id: \(id), nickname: \(nickname == nil ? "absent" : "present"), email: \(email == nil ? "absent" : "present"), emailVerified: \(emailVerified), itemsNeedingAgreement: \(itemsNeedingAgreement.sorted()))"
    }
}
