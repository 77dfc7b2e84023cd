/// Where the token that disconnects an identity's app at its provider belongs when sealed
/// (`user_identities.provider_token_sealed`): bound to the identity's provider and subject, so
/// a value copied to another identity does not open.
enum IdentityTokens {
    static func context(provider: String, subject: String) -> SealingContext {
        SealingContext(table: "user_identities", column: "provider_token", rowKey: provider + ":" + subject)
    }
}
