/// What a fingerprint (``SealingKeys/fingerprints(of:purpose:)``) is for. Each purpose has HMAC
/// keys of its own, derived from the sealing keys with HKDF, so a fingerprint made for one use
/// means nothing for another.
public enum FingerprintPurpose: String, CaseIterable, Sendable {
    /// A posted authorization code's dedupe key (`login_jobs.code_hmac`).
    case code
    /// A native app's access token's dedupe key (`login_jobs.code_hmac` of a token login).
    case appToken = "kakao_token"
    /// A native app's access token's poll token.
    case appTokenReader = "kakao_token_reader"
    /// The sessions' refresh-token derivation key.
    case sessions

    /// HKDF's `info`: the purpose's name, prefixed.
    var info: [UInt8] { Array("kakao-login \(rawValue)".utf8) }
}
