import Foundation
import OAuthClientSupport

/// A Kakao user from `/v2/user/me`, in provider-neutral terms. Every field but `id` may be
/// missing (not consented, not configured for the app, no email on the account, a legacy app
/// with `properties` only): that is normal, never an error. `description` hides the email.
public struct KakaoUser: Sendable, Hashable, Decodable, CustomStringConvertible {
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

    public init(from decoder: any Decoder) throws {
        let top = try decoder.container(keyedBy: AnyKey.self)
        guard let id = top.int64("id") else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no user id"))
        }
        self.id = id
        connectedAt = top.lenient("connected_at", as: String.self).flatMap { try? Date($0, strategy: .iso8601) }
        hasSignedUp = top.lenient("has_signed_up")
        let properties = top.lenient("properties", as: [String: Lenient<String>].self)
        let account = try? top.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("kakao_account"))
        let profile = try? account?.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("profile"))
        nickname = profile?.lenient("nickname", as: String.self) ?? properties?["nickname"]?.value
        profileImageURL = profile?.lenient("profile_image_url", as: String.self) ?? properties?["profile_image"]?.value
        thumbnailImageURL = profile?.lenient("thumbnail_image_url", as: String.self) ?? properties?["thumbnail_image"]?.value
        isDefaultImage = profile?.lenient("is_default_image")
        isDefaultNickname = profile?.lenient("is_default_nickname")
        email = account?.lenient("email", as: String.self)
        isEmailValid = account?.lenient("is_email_valid") ?? false
        isEmailVerified = account?.lenient("is_email_verified") ?? false
        name = account?.lenient("name")
        gender = account?.lenient("gender")
        ageRange = account?.lenient("age_range")
        birthday = account?.lenient("birthday")
        birthyear = account?.lenient("birthyear")
        phoneNumber = account?.lenient("phone_number")
        var needing = Set<String>()
        for key in account?.allKeys ?? [] where key.stringValue.hasSuffix("_needs_agreement") {
            guard account?.lenient(key.stringValue, as: Bool.self) == true else { continue }
            let item = String(key.stringValue.dropLast("_needs_agreement".count))
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
