import KakaoEmulator
import Logging

/// The Kakao emulator inside `kakao-login dev`: the default app of the fixed points, with the
/// REST API key, client secret and redirect URIs of the settings, so the API and the worker
/// talk to it as to Kakao.
enum DevEmulator {
    /// The default app's REST API key (`KAKAO_REST_API_KEY` when the emulator runs and it is unset).
    static let restAPIKey = KakaoEmulatorConfiguration.App().restAPIKey

    static func make(settings: Settings, logger: Logger) throws -> KakaoEmulator {
        var configuration = KakaoEmulatorConfiguration()
        var app = configuration.apps[0]
        app.restAPIKey = settings.kakaoRestAPIKey ?? app.restAPIKey
        app.clientSecret = settings.kakaoClientSecret
        app.redirectURIs += settings.kakaoRedirectURIs.filter { !app.redirectURIs.contains($0) }
        configuration.apps[0] = app
        return try KakaoEmulator(configuration: configuration, logger: logger)
    }
}
