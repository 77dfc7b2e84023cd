import EmulatorSupport

/// The consent page: pick a test account (or type any id), agree to or decline the optional
/// items, then "Agree" or "Cancel". A plain HTML form, so tests can drive it with HTTP requests:
/// POST `/oauth/authorize/consent` with the hidden fields, `user_id`, `consent` (repeated, one
/// per optional item agreed) and `action=agree|cancel`.
struct ConsentPage {
    let request: AuthorizationRequest
    let rawScope: String?
    let users: [KakaoEmulatorConfiguration.User]

    var html: String {
        let hidden: [(String, String?)] = [
            ("client_id", request.app.restAPIKey), ("redirect_uri", request.redirectURI), ("response_type", "code"),
            ("scope", rawScope), ("state", request.state), ("nonce", request.nonce), ("code_challenge", request.codeChallenge),
            ("code_challenge_method", request.codeChallenge == nil ? nil : "S256"),
        ]
        let hiddenFields = hidden.compactMap { name, value in
            value.map { #"<input type="hidden" name="\#(name)" value="\#(HTMLText.escape($0))">"# }
        }.joined(separator: "\n")
        let accounts = users.enumerated().map { index, user in
            let label = [user.nickname ?? "(no nickname)", user.email ?? "no email", user.restriction.map { "restricted: \($0.rawValue)" }]
                .compactMap { $0 }.joined(separator: " · ")
            return
                #"<label><input type="radio" name="user_id" value="\#(user.id)"\#(index == 0 ? " checked" : "")> \#(HTMLText.escape(label)) <small>#\#(user.id)</small></label>"#
        }.joined(separator: "<br>\n")
        let items = request.requestedItems.map { item in
            item.required
                ? #"<label><input type="checkbox" checked disabled> \#(HTMLText.escape(item.id)) (required)</label>"#
                : #"<label><input type="checkbox" name="consent" value="\#(HTMLText.escape(item.id))" checked> \#(HTMLText.escape(item.id)) (optional)</label>"#
        }.joined(separator: "<br>\n")
        let openid = request.openid ? "<p>This app will also receive an OpenID Connect ID token.</p>" : ""
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Kakao Login (emulator)</title>
            <style>body{font-family:sans-serif;max-width:32rem;margin:2rem auto}fieldset{margin:1rem 0}button{margin-right:1rem}</style></head>
            <body><h1>Kakao Login (emulator)</h1>
            <p>App <code>\(HTMLText.escape(request.app.restAPIKey))</code> asks to use your Kakao account.</p>
            <form method="post" action="/oauth/authorize/consent">
            \(hiddenFields)
            <fieldset><legend>Account</legend>
            \(accounts)
            </fieldset>
            <fieldset><legend>Consent items</legend>
            \(items)
            \(openid)
            </fieldset>
            <button type="submit" name="action" value="agree">Agree and continue</button>
            <button type="submit" name="action" value="cancel">Cancel</button>
            </form></body></html>
            """
    }
}
