import Foundation
import GoogleAPI
import Logging
import LoginQueue
import OAuthClientSupport
import ServiceLifecycle

/// Google's settings mapped onto `GoogleAPI` and the login provider. Google sign-in is on when
/// `GOOGLE_CLIENT_ID` is set.
extension Settings {
    /// Whether this deployment offers Sign in with Google.
    var googleEnabled: Bool { googleClientID != nil }

    /// `GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET`, `GOOGLE_ISSUER_URL`. The issuer is https; a
    /// plain-http loopback issuer is an emulator's; any issuer but Google's own is accepted only with
    /// `LOGIN_ALLOW_EMULATOR=true`.
    func googleClientConfiguration() throws -> GoogleClientConfiguration {
        guard let clientID = googleClientID else {
            throw StartupError.missing("GOOGLE_CLIENT_ID", "set the Google OAuth client id (kakao-login dev uses the emulator's)")
        }
        if googleIssuerURL?.scheme?.lowercased() != "https", !Self.looksLikeEmulator(googleIssuerURL) {
            throw StartupError("GOOGLE_ISSUER_URL must be https (plain http only for an emulator on loopback)")
        }
        if usesGoogleEmulator, !allowEmulator {
            throw StartupError(
                "GOOGLE_ISSUER_URL is not Google's (https://accounts.google.com): set LOGIN_ALLOW_EMULATOR=true only for a "
                    + "test deployment (its sign-ins are then provider google_emulator, never real Google accounts)"
            )
        }
        guard googleClientSecret != nil else {
            throw StartupError.missing("GOOGLE_CLIENT_SECRET", "set the Google OAuth client's secret (a web application client has one)")
        }
        return try GoogleClientConfiguration(
            clientID: clientID,
            clientSecret: googleClientSecret,
            issuerURL: googleIssuerURL?.absoluteString ?? "https://accounts.google.com"
        )
    }

    /// Google as a login provider, with its HTTP client (a service to run before the provider is
    /// used and to shut down after).
    /// - Parameter requireRedirectURIs: the API needs them (it starts attempts); a worker does not.
    func googleLoginProvider(
        logger: Logger,
        requireRedirectURIs: Bool
    ) throws -> (provider: ConfiguredProvider, httpClient: HTTPClientService) {
        if requireRedirectURIs, googleRedirectURIs.isEmpty { throw Self.missingGoogleRedirectURIs }
        let google = try googleClientConfiguration()
        let httpClient = google.makeHTTPClient()
        let client = GoogleClient(configuration: google, httpClient: httpClient, logger: logger)
        let provider = GoogleLoginProvider(client: client, name: usesGoogleEmulator ? "google_emulator" : "google")
        return (
            ConfiguredProvider(provider: provider, route: "google", redirectURIs: googleRedirectURIs),
            HTTPClientService(httpClient: httpClient)
        )
    }

    static let missingGoogleRedirectURIs = StartupError.missing(
        "GOOGLE_REDIRECT_URIS",
        "set the comma-separated redirect URIs registered for the Google client (the first is the default)"
    )

    /// Whether Google's issuer is anything but Google's own (an emulator, a staging identity
    /// provider): its accounts are stored as provider `google_emulator`, so an identity it made up
    /// can never be a real Google user's.
    var usesGoogleEmulator: Bool {
        guard let googleIssuerURL else { return false }
        return googleIssuerURL.scheme?.lowercased() != "https" || googleIssuerURL.host?.lowercased() != "accounts.google.com"
    }
}
