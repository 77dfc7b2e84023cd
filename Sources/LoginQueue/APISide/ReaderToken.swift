/// The secret a reader of a login presents (an attempt token or a poll token) with its SHA-256,
/// computed once: the job row stores only the hash (`binding_hash`), and the API's long-poll
/// bookkeeping compares the same hash.
public struct ReaderToken: Sendable {
    let text: String
    /// SHA-256 of the token's UTF-8 text.
    public let digest: [UInt8]

    public init(_ text: String) {
        self.text = text
        self.digest = SecretToken.sha256(text)
    }
}
