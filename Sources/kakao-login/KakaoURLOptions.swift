import ArgumentParser

/// `--kakao-auth-url` and `--kakao-api-url`, shared by `api` and `worker`; each wins over its variable.
struct KakaoURLOptions: ParsableArguments {
    @Option(name: .customLong("kakao-auth-url"), help: "Kakao's kauth base URL (KAKAO_AUTH_URL).")
    var kakaoAuthURL: String?

    @Option(name: .customLong("kakao-api-url"), help: "Kakao's kapi base URL (KAKAO_API_URL).")
    var kakaoAPIURL: String?

    /// The flags given, keyed by the variable each overrides.
    var flags: [String: String] {
        ["KAKAO_AUTH_URL": kakaoAuthURL, "KAKAO_API_URL": kakaoAPIURL].compactMapValues { $0 }
    }
}
