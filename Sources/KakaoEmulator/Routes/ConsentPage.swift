import EmulatorSupport

/// The consent page: pick a test account (or type any id), agree to or decline the optional
/// items, then "Agree" or "Cancel". A plain HTML form, so tests can drive it with HTTP requests:
/// POST `/oauth/authorize/consent` with the hidden fields, `user_id`, `consent` (repeated, one
/// per optional item agreed) and `action=agree|cancel`.
///
/// For additional consent (``signedIn``) the page is the signed-in account's (its id a hidden
/// field), lists the items it agreed to before as already agreed, and asks only for the others.
struct ConsentPage {
    /// The signed-in Kakao account of an additional-consent request and what it agreed to.
    struct SignedIn {
        let user: KakaoEmulatorConfiguration.User
        let granted: Set<String>
    }

    let request: AuthorizationRequest
    let rawScope: String?
    let users: [KakaoEmulatorConfiguration.User]
    let signedIn: SignedIn?

    var html: String {
        let hidden: [(String, String?)] = [
            ("client_id", request.app.restAPIKey), ("redirect_uri", request.redirectURI), ("response_type", "code"),
            ("scope", rawScope), ("state", request.state), ("nonce", request.nonce), ("code_challenge", request.codeChallenge),
            ("code_challenge_method", request.codeChallenge == nil ? nil : "S256"),
        ]
        let hiddenFields = hidden.compactMap { name, value in
            value.map { #"<input type="hidden" name="\#(name)" value="\#(HTMLText.escape($0))">"# }
        }.joined(separator: "\n")
        let granted = signedIn?.granted ?? []
        let items =
            (request.requestedItems.filter { !granted.contains($0.id) }.map(Self.askedItem)
            + request.app.consentItems.filter { granted.contains($0.id) }.map(Self.agreedItem))
            .joined(separator: "<br>\n")
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

    /// The account fieldset: the signed-in account alone, or a choice of the test users.
    private var accounts: String {
        if let user = signedIn?.user {
            return
                #"<input type="hidden" name="user_id" value="\#(user.id)"><p id="signed-in">Signed in as \#(HTMLText.escape(Self.label(user))) <small>#\#(user.id)</small></p>"#
        }
        return users.enumerated().map { index, user in
            #"<label><input type="radio" name="user_id" value="\#(user.id)"\#(index == 0 ? " checked" : "")> \#(HTMLText.escape(Self.label(user))) <small>#\#(user.id)</small></label>"#
        }.joined(separator: "<br>\n")
    }

    private static func label(_ user: KakaoEmulatorConfiguration.User) -> String {
        [user.nickname ?? "(no nickname)", user.email ?? "no email", user.restriction.map { "restricted: \($0.rawValue)" }]
            .compactMap { $0 }.joined(separator: " · ")
    }

    /// An item to agree to: required ones cannot be unticked.
    private static func askedItem(_ item: KakaoEmulatorConfiguration.ConsentItem) -> String {
        item.required
            ? #"<label><input type="checkbox" checked disabled> \#(HTMLText.escape(item.id)) (required)</label>"#
            : #"<label><input type="checkbox" name="consent" value="\#(HTMLText.escape(item.id))" checked> \#(HTMLText.escape(item.id)) (optional)</label>"#
    }

    /// An item the account agreed to before: shown, not asked again.
    private static func agreedItem(_ item: KakaoEmulatorConfiguration.ConsentItem) -> String {
        #"<label class="agreed"><input type="checkbox" checked disabled> \#(HTMLText.escape(item.id)) (already agreed)</label>"#
    }
}
