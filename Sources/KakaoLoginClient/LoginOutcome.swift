/// How a login ended, as ``LoginClient/pollUntilDone(loginID:attempt:timeout:)`` saw it.
public enum LoginOutcome: Sendable, Hashable {
    /// Succeeded, with the app tokens (the first reads by the attempt, within 60 seconds).
    case signedIn(SignedIn)
    /// A link (`"link": true`) succeeded: the identity is the signed-in user's; no tokens.
    case linked(Components.Schemas.UserFields)
    /// Succeeded, but its tokens went to an earlier read.
    case succeededWithoutTokens
    /// Failed, with the reason (`authorization_code_invalid`, `login_expired`, …; a refused link
    /// is `identity_already_linked` or `provider_already_linked`).
    case failed(Components.Schemas.ErrorDetail)
    /// Still pending when the caller's time ran out.
    case stillPending
}
