/// Who may read the login an enqueue creates (DESIGN.md: a `login_id` alone gives nothing).
public enum LoginReaderBinding: Sendable {
    /// The attempt bound to this token (the cookie or `X-Login-Attempt`), which must have been
    /// started with `state`: the attempt's redirect URI, PKCE verifier and nonce go to the job.
    case attempt(ReaderToken, state: String)
    /// No attempt (`LOGIN_REQUIRE_STATE=false`, the seed's code-only flow): a new poll token is
    /// made and returned in ``EnqueuedLogin/pollToken``; the redirect URI must be in the
    /// allow-list.
    case newPollToken
}
