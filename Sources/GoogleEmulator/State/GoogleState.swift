import EmulatorSupport

/// The Google emulator's mutable world: codes, tokens, grants and synthetic users. A plain
/// struct, always used under one lock; time comes in as an argument (the emulated clock), random
/// strings are made by the caller outside the lock.
struct GoogleState {
    struct Rules {
        let codeLifetime: Double
        let accessTokenLifetime: Double
        let refreshTokensPerClientMax: Int
        let failedExchangeBurnsCode: Bool
        let revokeTokensOnCodeReuse: Bool
    }

    private let rules: Rules
    var users: UserDirectory<GoogleEmulatorConfiguration.User>
    private var codes: [String: CodeRecord] = [:]
    private var accessTokens: [String: TokenRecord] = [:]
    private var refreshTokens: [String: TokenRecord] = [:]
    private var grants: [GrantKey: Grant] = [:]
    private var pruning = PruneSchedule()

    init(users: [GoogleEmulatorConfiguration.User], rules: Rules) {
        self.users = UserDirectory(users)
        self.rules = rules
    }

    // MARK: users and grants

    /// A known user (named or made up before) whose `sub` or email is `hint`.
    func user(matching hint: String) -> GoogleEmulatorConfiguration.User? {
        users[known: hint] ?? users.all.first { $0.email?.lowercased() == hint.lowercased() }
    }

    /// The scopes this user already granted this client.
    func grantedScopes(sub: String, clientID: String) -> Set<String> {
        grants[GrantKey(sub: sub, clientID: clientID)]?.scopes ?? []
    }

    // MARK: codes

    /// Stores a code and records the consent it stands for.
    mutating func store(code: String, _ record: CodeRecord, now: Double) {
        _ = users.user(record.sub)
        grants[GrantKey(sub: record.sub, clientID: record.clientID), default: Grant()].scopes.formUnion(record.scopes)
        codes[code] = record
        pruneIfDue(now: now)
    }

    /// `grant_type=authorization_code` after the client was authenticated.
    /// - Returns: the grant; how many times the code has now been presented (0 for an unknown
    ///   code); the code's user, when the code is known.
    mutating func exchange(
        code: String,
        clientID: String,
        redirectURI: String,
        codeVerifier: String?,
        newAccessToken: String,
        newRefreshToken: String,
        now: Double
    ) -> (result: Result<TokenGrant, ExchangeFailure>, presentations: Int, sub: String?) {
        guard var record = codes[code] else { return (.failure(.badRequest), 0, nil) }
        record.presentations += 1
        defer { codes[code] = record }
        let presented = (record.presentations, record.sub)
        let key = GrantKey(sub: record.sub, clientID: record.clientID)
        if record.spent {
            if rules.revokeTokensOnCodeReuse { revoke(key) }
            return (.failure(.alreadyRedeemed), presented.0, presented.1)
        }
        if let failure = Self.check(record, clientID: clientID, redirectURI: redirectURI, codeVerifier: codeVerifier, now: now) {
            if rules.failedExchangeBurnsCode { record.spent = true }
            return (.failure(failure), presented.0, presented.1)
        }
        record.spent = true
        var grant = grants[key, default: Grant()]
        accessTokens[newAccessToken] = TokenRecord(
            clientID: record.clientID,
            sub: record.sub,
            scopes: record.scopes,
            generation: grant.generation,
            expiresAt: now + rules.accessTokenLifetime,
            offline: record.offline
        )
        if record.issuesRefreshToken {
            refreshTokens[newRefreshToken] = TokenRecord(
                clientID: record.clientID,
                sub: record.sub,
                scopes: record.scopes,
                generation: grant.generation,
                expiresAt: nil,
                offline: true
            )
            grant.refreshTokens.append(newRefreshToken)
            while grant.refreshTokens.count > rules.refreshTokensPerClientMax {
                refreshTokens[grant.refreshTokens.removeFirst()] = nil
            }
        }
        grants[key] = grant
        pruneIfDue(now: now)
        let tokenGrant = TokenGrant(
            user: users.user(record.sub),
            clientID: record.clientID,
            scopes: record.scopes,
            nonce: record.nonce,
            accessToken: newAccessToken,
            refreshToken: record.issuesRefreshToken ? newRefreshToken : nil
        )
        return (.success(tokenGrant), presented.0, presented.1)
    }

    /// The first reason an unspent code cannot be exchanged by this request, if any.
    private static func check(
        _ record: CodeRecord,
        clientID: String,
        redirectURI: String,
        codeVerifier: String?,
        now: Double
    ) -> ExchangeFailure? {
        guard now < record.expiresAt, record.clientID == clientID else { return .badRequest }
        guard record.redirectURI == redirectURI else { return .redirectURIMismatch }
        switch (record.codeChallenge, codeVerifier) {
        case (nil, nil): return nil
        case (nil, .some): return .verifierNotNeeded
        case (.some, nil): return .missingVerifier
        case (.some(let challenge), .some(let verifier)):
            return PKCE.verifies(verifier: verifier, challenge: challenge, method: record.challengeMethod) ? nil : .invalidVerifier
        }
    }

    // MARK: tokens

    /// `grant_type=refresh_token` after the client was authenticated: a new access token with
    /// the grant's scopes; the refresh token is never rotated.
    mutating func refresh(refreshToken: String, clientID: String, newAccessToken: String, now: Double) -> Result<TokenGrant, OAuthError> {
        guard let record = refreshTokens[refreshToken], isCurrent(record) else {
            return .failure(.invalidGrant("Token has been expired or revoked."))
        }
        guard record.clientID == clientID else { return .failure(.unauthorizedClient) }
        accessTokens[newAccessToken] = TokenRecord(
            clientID: clientID,
            sub: record.sub,
            scopes: record.scopes,
            generation: record.generation,
            expiresAt: now + rules.accessTokenLifetime,
            offline: true
        )
        pruneIfDue(now: now)
        return .success(
            TokenGrant(
                user: users.user(record.sub),
                clientID: clientID,
                scopes: record.scopes,
                nonce: nil,
                accessToken: newAccessToken,
                refreshToken: nil
            )
        )
    }

    /// A live access token's record and user; nil for unknown, revoked or expired tokens.
    mutating func resolve(accessToken: String, now: Double) -> (TokenRecord, GoogleEmulatorConfiguration.User)? {
        guard let record = accessTokens[accessToken], isCurrent(record), now < record.expiresAt ?? .infinity else { return nil }
        return (record, users.user(record.sub))
    }

    /// Revokes the grant behind an access or refresh token: every token of that user and
    /// client dies and the consent is forgotten. Nil when the token is unknown or already
    /// dead, else the grant's user.
    mutating func revoke(token: String) -> String? {
        guard let record = accessTokens[token] ?? refreshTokens[token], isCurrent(record) else { return nil }
        revoke(GrantKey(sub: record.sub, clientID: record.clientID))
        return record.sub
    }

    private mutating func revoke(_ key: GrantKey) {
        var grant = grants[key, default: Grant()]
        grant.generation += 1
        grant.scopes = []
        for token in grant.refreshTokens { refreshTokens[token] = nil }
        grant.refreshTokens = []
        grants[key] = grant
    }

    private func isCurrent(_ record: TokenRecord) -> Bool {
        record.generation == grants[GrantKey(sub: record.sub, clientID: record.clientID)]?.generation ?? 0
    }

    // MARK: pruning

    /// At most once a minute (emulated time), forgets codes well past expiry and access tokens
    /// a day past expiry. A full sweep, so it runs rarely: under load the lock must stay short.
    private mutating func pruneIfDue(now: Double) {
        guard pruning.isDue(now: now) else { return }
        let codeRetention = rules.codeLifetime
        codes = codes.filter { $0.value.expiresAt + codeRetention > now }
        accessTokens = accessTokens.filter { ($0.value.expiresAt ?? .infinity) + 86_400 > now }
    }
}
