import GoogleEmulator
import KakaoEmulator
import Logging

/// The emulators inside `kakao-login dev`: the default Kakao app and Google client of the fixed
/// points, with the keys, secrets and redirect URIs of the settings, so the API and the worker
/// talk to them as to Kakao and Google.
enum DevEmulator {
    /// The default app's REST API key (`KAKAO_REST_API_KEY` when the emulator runs and it is unset).
    static let restAPIKey = KakaoEmulatorConfiguration.App().restAPIKey
    /// The default app's admin key (`KAKAO_ADMIN_KEY` when the emulator runs and it is unset).
    static let adminKey = KakaoEmulatorConfiguration.App().adminKey
    /// The default app's id and native app key (`KAKAO_APP_ID`, `KAKAO_NATIVE_APP_KEY` when the
    /// emulator runs and they are unset): native-app logins with the emulator's SDK tokens.
    static let appID = KakaoEmulatorConfiguration.App().appID
    static let nativeAppKey = KakaoEmulatorConfiguration.App().nativeAppKey
    /// The default Google client (`GOOGLE_CLIENT_ID` and `GOOGLE_CLIENT_SECRET` when the Google
    /// emulator runs and they are unset).
    static let googleClient = GoogleEmulatorConfiguration.Client()

    static func makeKakao(settings: Settings, logger: Logger) throws -> KakaoEmulator {
        var configuration = KakaoEmulatorConfiguration()
        var app = configuration.apps[0]
        app.restAPIKey = settings.kakaoRestAPIKey ?? app.restAPIKey
        app.clientSecret = settings.kakaoClientSecret
        app.adminKey = settings.kakaoAdminKey ?? app.adminKey
        app.appID = settings.kakaoAppID ?? app.appID
        app.nativeAppKey = settings.kakaoNativeAppKey ?? app.nativeAppKey
        app.redirectURIs += settings.kakaoRedirectURIs.filter { !app.redirectURIs.contains($0) }
        configuration.apps[0] = app
        if settings.kakaoUnlinkCallback {
            // The API's own callback, as an app registers it at Kakao.
            configuration.unlinkCallbackURL = "http://127.0.0.1:\(settings.port)/hooks/kakao/unlink"
        }
        return try KakaoEmulator(configuration: configuration, logger: logger)
    }

    static func makeGoogle(settings: Settings, logger: Logger) throws -> GoogleEmulator {
        var configuration = GoogleEmulatorConfiguration()
        var client = configuration.clients[0]
        client.clientID = settings.googleClientID ?? client.clientID
        if let secret = settings.googleClientSecret { client.clientSecrets = [secret] }
        client.redirectURIs += settings.googleRedirectURIs.filter { !client.redirectURIs.contains($0) }
        configuration.clients[0] = client
        return try GoogleEmulator(configuration: configuration, logger: logger)
    }
}
