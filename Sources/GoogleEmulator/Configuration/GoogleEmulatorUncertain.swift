extension GoogleEmulatorConfiguration {
    /// Switches for what the reference marks UNCERTAIN (one capture, contradicting sources, or
    /// never observed), each defaulting to the suggested, tolerant choice. docs/EMULATORS.md
    /// lists them with their evidence.
    public struct Uncertain: Sendable, Hashable {
        /// RFC 9207 `iss` in the authorization response: seen in success redirects since about
        /// February 2026, never in an error redirect.
        public var authorizationResponseIss: ResponseIss
        /// Whether discovery advertises `authorization_response_iss_parameter_supported` and
        /// `response_modes_supported` (listed on Google's page, never seen in a capture).
        public var advertiseIssParameter: Bool
        /// Whether presenting a used code again also revokes the tokens the first exchange
        /// issued (RFC 6749 §10.5 says SHOULD; never observed at Google). Re-presented codes
        /// are counted either way.
        public var revokeTokensOnCodeReuse: Bool
        /// Whether a presentation that fails (wrong `redirect_uri`, verifier or client) uses the code up.
        public var failedExchangeBurnsCode: Bool
        /// The error of a `prompt=none` request that needs a login or a consent screen.
        public var promptNoneErrors: PromptNoneErrors
        /// Status of the quota answer (an HTML page; no JSON body was ever documented): 403 or 429.
        public var quotaStatus: Int
        /// Body of a successful revoke.
        public var revokeBody: RevokeBody
        /// Whether ID tokens and userinfo carry `locale` (absent from every 2024+ capture).
        public var localeClaim: Bool
        /// Which published key signs new ID tokens after a rotation.
        public var keyRotation: KeyRotation

        public init(
            authorizationResponseIss: ResponseIss = .success,
            advertiseIssParameter: Bool = false,
            revokeTokensOnCodeReuse: Bool = false,
            failedExchangeBurnsCode: Bool = false,
            promptNoneErrors: PromptNoneErrors = .interactionRequired,
            quotaStatus: Int = 429,
            revokeBody: RevokeBody = .empty,
            localeClaim: Bool = false,
            keyRotation: KeyRotation = .publishAhead
        ) {
            self.authorizationResponseIss = authorizationResponseIss
            self.advertiseIssParameter = advertiseIssParameter
            self.revokeTokensOnCodeReuse = revokeTokensOnCodeReuse
            self.failedExchangeBurnsCode = failedExchangeBurnsCode
            self.promptNoneErrors = promptNoneErrors
            self.quotaStatus = quotaStatus
            self.revokeBody = revokeBody
            self.localeClaim = localeClaim
            self.keyRotation = keyRotation
        }
    }

    /// Where the authorization response carries `iss`.
    public enum ResponseIss: String, Sendable, Hashable, Decodable, CaseIterable {
        case omitted
        /// On the code redirect only.
        case success
        /// On code and error redirects.
        case always
    }

    /// The errors of a `prompt=none` request that cannot be answered silently.
    public enum PromptNoneErrors: String, Sendable, Hashable, Decodable, CaseIterable {
        /// `error=interaction_required&error_subtype=access_denied` whatever is missing (one capture).
        case interactionRequired = "interaction_required"
        /// OpenID Connect's `login_required` (no session) and `consent_required`.
        case oidc
    }

    /// What a successful revoke answers with status 200.
    public enum RevokeBody: String, Sendable, Hashable, Decodable, CaseIterable {
        /// No body.
        case empty
        /// `{}`.
        case emptyObject = "empty_object"
    }

    /// See ``RS256KeySet/Rotation``.
    public enum KeyRotation: String, Sendable, Hashable, Decodable, CaseIterable {
        /// A key is published one rotation before it signs (the reference's suggestion).
        case publishAhead = "publish_ahead"
        /// The new key signs at once (clients must refetch the JWKS on an unknown `kid`).
        case immediate
    }
}
