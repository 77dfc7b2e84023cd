/// Google's scope names: the short `email` and `profile` stand for the userinfo URLs, which are
/// what the token endpoint answers; `openid` is added whenever a userinfo scope is granted.
enum GoogleScopes {
    static let email = "https://www.googleapis.com/auth/userinfo.email"
    static let profile = "https://www.googleapis.com/auth/userinfo.profile"
    /// Other Google API scopes are accepted (and granted) by their URL.
    static let apiPrefix = "https://www.googleapis.com/auth/"

    /// The scope's full name; nil for a scope Google does not know.
    static func normalized(_ scope: String) -> String? {
        switch scope {
        case "openid": "openid"
        case "email", email: email
        case "profile", profile: profile
        case _ where scope.hasPrefix(apiPrefix) && scope.utf8.count > apiPrefix.utf8.count: scope
        default: nil
        }
    }

    /// What a grant of these full names covers (with `openid` when a userinfo scope is in it).
    static func granted(_ scopes: Set<String>) -> Set<String> {
        scopes.contains(email) || scopes.contains(profile) ? scopes.union(["openid"]) : scopes
    }

    /// The token endpoint's `scope`: full URLs and `openid`, in the order Google's captures show.
    static func tokenScope(_ scopes: Set<String>) -> String {
        let known = [profile, "openid", email].filter(scopes.contains)
        return (known + scopes.subtracting(known).sorted()).joined(separator: " ")
    }

    /// The redirect's `scope`: the names as asked, then the full names they stand for.
    static func redirectScope(asked: [String], granted: Set<String>) -> String {
        var names: [String] = []
        for name in asked + [email, profile, "openid"] + granted.sorted()
        where granted.contains(normalized(name) ?? "") && !names.contains(name) {
            names.append(name)
        }
        return names.joined(separator: " ")
    }
}
