import EmulatorSupport

/// Google's account chooser and consent screen in one plain HTML form, so tests can drive it
/// with HTTP requests: POST `/o/oauth2/v2/auth/approve` with the hidden fields, `account` (a
/// test user's `sub`) or `other_account` (any `sub`), and `action=allow|deny`.
struct AccountChooserPage {
    let request: AuthorizationRequest
    let users: [GoogleEmulatorConfiguration.User]
    /// The account `login_hint` names, preselected.
    let hinted: GoogleEmulatorConfiguration.User?

    /// The accounts offered: with `hd`, only that Workspace domain's (any Workspace account
    /// for `hd=*`) when there are some; `hd` is a hint, so a backend must still check the claim.
    private var offered: [GoogleEmulatorConfiguration.User] {
        guard let hd = request.hd else { return users }
        let matching = users.filter { user in user.hd != nil && (hd == "*" || user.hd == hd) }
        return matching.isEmpty ? users : matching
    }

    var html: String {
        let hiddenFields = request.parameters.formFields.compactMap { name, value in
            value.map { #"<input type="hidden" name="\#(name)" value="\#(HTMLText.escape($0))">"# }
        }.joined(separator: "\n")
        let offered = self.offered
        let selected = hinted.flatMap { hint in offered.first { $0.sub == hint.sub } }?.sub ?? offered.first?.sub
        let accounts = offered.map { user in
            let details = [
                user.name, user.email ?? "no email", user.email != nil && !user.emailVerified ? "email not verified" : nil,
                user.hd.map { "Workspace: \($0)" },
            ].compactMap { $0 }.map(HTMLText.escape).joined(separator: " · ")
            let checked = user.sub == selected ? " checked" : ""
            return
                #"<label><input type="radio" name="account" value="\#(HTMLText.escape(user.sub))"\#(checked)> \#(details) <small>sub \#(HTMLText.escape(user.sub))</small></label>"#
        }.joined(separator: "<br>\n")
        var permissions = ["Associate you with your personal info on Google (openid)"]
        if request.scopes.contains(GoogleScopes.email) { permissions.append("See your primary Google Account email address (email)") }
        if request.scopes.contains(GoogleScopes.profile) {
            permissions.append("See your personal info, including your name and picture (profile)")
        }
        for scope in request.scopes.subtracting([GoogleScopes.email, GoogleScopes.profile, "openid"]).sorted() {
            permissions.append("Use \(scope)")
        }
        if request.offline { permissions.append("Keep access while you are not using the app (offline: a refresh token)") }
        let items = permissions.map { "<li>\(HTMLText.escape($0))</li>" }.joined()
        let earlier = request.includeGrantedScopes ? "<p>Access you granted this app before is included.</p>" : ""
        let hint = request.hd.map { "<p>Accounts of <code>\(HTMLText.escape($0))</code> are shown (hd is only a hint).</p>" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign in - Google Accounts (emulator)</title>
            <style>body{font-family:sans-serif;max-width:36rem;margin:2rem auto}fieldset{margin:1rem 0}button{margin-right:1rem}</style></head>
            <body><h1>Choose an account</h1>
            <p>to continue to <code>\(HTMLText.escape(request.client.clientID))</code></p>
            <form method="post" action="\(GoogleRoute.approve.path)">
            \(hiddenFields)
            <fieldset><legend>Account</legend>
            \(hint)\(accounts)
            <p><label>Another account (any sub): <input type="text" name="other_account" autocomplete="off"></label></p>
            </fieldset>
            <fieldset><legend>This will allow the app to</legend>
            <ul>\(items)</ul>\(earlier)
            </fieldset>
            <button type="submit" name="action" value="allow">Continue</button>
            <button type="submit" name="action" value="deny">Cancel</button>
            </form></body></html>
            """
    }
}
