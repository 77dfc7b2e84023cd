import EmulatorSupport

/// The answer that hands out a grant's tokens: the token endpoint's, and what Kakao's SDK gets
/// at a native login (`POST /_emulator/sdk-tokens`).
extension EmulatorCore {
    /// The token answer's JSON: lifetimes minus one second, as Kakao reports them, and an RS256
    /// ID token for `audience` (the REST API key at the token endpoint, the native app key for
    /// the SDK) when `withIDToken`.
    func tokenAnswer(_ grant: TokenGrant, audience: String, now: Double, withIDToken: Bool) throws -> String {
        counters.bump(\.tokensIssued)
        var object = JSONObjectWriter()
        object.add("token_type", "bearer")
        object.add("access_token", grant.accessToken)
        if withIDToken {
            object.add("id_token", try idToken(grant, audience: audience, now: now))
            counters.bump(\.idTokensSigned)
        }
        object.add("expires_in", configuration.accessTokenLifetimeSeconds - 1)
        if let refreshToken = grant.refreshToken {
            object.add("refresh_token", refreshToken)
            object.add("refresh_token_expires_in", configuration.refreshTokenLifetimeSeconds - 1)
        }
        let scopes = grant.openid ? grant.scopes.union(["openid"]) : grant.scopes
        if !scopes.isEmpty { object.add("scope", scopes.sorted().joined(separator: " ")) }
        return object.finish()
    }

    /// An RS256 ID token with Kakao's claims; profile claims follow the consent given.
    private func idToken(_ grant: TokenGrant, audience: String, now: Double) throws -> String {
        let issuedAt = Int64(now)
        let user = grant.user
        var claims = JSONObjectWriter()
        claims.add("aud", audience)
        claims.add("sub", String(user.id))
        claims.add("auth_time", grant.authTime)
        claims.add("iss", issuer)
        if grant.scopes.contains("profile_nickname") { claims.add("nickname", ifPresent: user.nickname) }
        claims.add("exp", issuedAt + Int64(configuration.accessTokenLifetimeSeconds))
        claims.add("iat", issuedAt)
        if grant.scopes.contains("profile_image") { claims.add("picture", ifPresent: user.thumbnailImageURL) }
        if grant.scopes.contains("account_email"), user.isEmailValid, user.isEmailVerified {
            claims.add("email", ifPresent: user.email)
        }
        claims.add("nonce", ifPresent: grant.nonce)
        return try signer.sign(payloadJSON: claims.finish())
    }
}
