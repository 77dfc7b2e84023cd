import EmulatorSupport

/// Builds the `/v2/user/me` body from a user and the consent they gave: each item the app has
/// configured appears as `<item>_needs_agreement`, and its values only when agreed to.
struct UserMeRenderer {
    let user: KakaoEmulatorConfiguration.User
    let scopes: Set<String>
    let configuredItems: Set<String>
    let connectedAt: String
    /// `property_keys`: nil means every field.
    let propertyKeys: Set<String>?
    /// `secure_resource=true`: image URLs in https.
    let secureResource: Bool

    /// Simple string items: consent id, `kakao_account` key, value.
    private var simpleItems: [(item: String, key: String, value: String?)] {
        [
            ("name", "name", user.name), ("age_range", "age_range", user.ageRange), ("birthyear", "birthyear", user.birthyear),
            ("birthday", "birthday", user.birthday), ("gender", "gender", user.gender),
            ("phone_number", "phone_number", user.phoneNumber),
        ]
    }

    func render() -> String {
        var top = JSONObjectWriter()
        top.add("id", user.id)
        top.add("connected_at", connectedAt)
        if let properties = propertiesObject() { top.add("properties", json: properties) }
        top.add("kakao_account", json: accountObject())
        return top.finish()
    }

    private func wants(_ key: String) -> Bool {
        propertyKeys?.contains(key) ?? true
    }

    private func image(_ url: String?) -> String? {
        guard let url, !secureResource, url.hasPrefix("https://") else { return url }
        return "http://" + url.dropFirst("https://".count)
    }

    private func propertiesObject() -> String? {
        var object = JSONObjectWriter()
        var empty = true
        if scopes.contains("profile_nickname"), wants("properties.nickname"), let nickname = user.nickname {
            object.add("nickname", nickname)
            empty = false
        }
        if scopes.contains("profile_image") {
            if wants("properties.profile_image"), let url = image(user.profileImageURL) {
                object.add("profile_image", url)
                empty = false
            }
            if wants("properties.thumbnail_image"), let url = image(user.thumbnailImageURL) {
                object.add("thumbnail_image", url)
                empty = false
            }
        }
        return empty ? nil : object.finish()
    }

    private func accountObject() -> String {
        var account = JSONObjectWriter()
        if wants("kakao_account.profile") { addProfile(to: &account) }
        if configuredItems.contains("account_email"), wants("kakao_account.email") {
            if scopes.contains("account_email") {
                account.add("has_email", user.email != nil)
                account.add("email_needs_agreement", false)
                if let email = user.email {
                    account.add("is_email_valid", user.isEmailValid)
                    account.add("is_email_verified", user.isEmailVerified)
                    account.add("email", email)
                }
            } else {
                account.add("has_email", user.email != nil)
                account.add("email_needs_agreement", user.email != nil)
            }
        }
        for (item, key, value) in simpleItems where configuredItems.contains(item) && wants("kakao_account.\(key)") {
            account.add("\(key)_needs_agreement", !scopes.contains(item) && value != nil)
            if scopes.contains(item), let value {
                account.add(key, value)
                if item == "birthday" { account.add("birthday_type", "SOLAR") }
            }
        }
        return account.finish()
    }

    private func addProfile(to account: inout JSONObjectWriter) {
        let nicknameGranted = scopes.contains("profile_nickname")
        let imageGranted = scopes.contains("profile_image")
        if configuredItems.contains("profile_nickname") { account.add("profile_nickname_needs_agreement", !nicknameGranted) }
        if configuredItems.contains("profile_image") { account.add("profile_image_needs_agreement", !imageGranted) }
        guard nicknameGranted || imageGranted else { return }
        var profile = JSONObjectWriter()
        if nicknameGranted {
            profile.add("nickname", ifPresent: user.nickname)
            profile.add("is_default_nickname", user.isDefaultNickname)
        }
        if imageGranted {
            profile.add("thumbnail_image_url", ifPresent: image(user.thumbnailImageURL))
            profile.add("profile_image_url", ifPresent: image(user.profileImageURL))
            profile.add("is_default_image", user.isDefaultImage)
        }
        account.add("profile", json: profile.finish())
    }
}
