import AsyncHTTPClient
import Foundation
import GoogleAPI
import GoogleEmulator
import InMemoryLogging
import Logging
import NIOCore
import NIOHTTP1
import Testing

@Suite("Google client against the emulator: the login path")
struct ClientHappyPathTests {
    @Test func discoveryPointsAtTheEmulator() async throws {
        try await Harness.run { h in
            let document = try await h.client.discovery()
            #expect(document.issuer == h.baseURL)
            #expect(document.authorizationEndpoint == h.baseURL + "/o/oauth2/v2/auth")
            #expect(document.tokenEndpoint == h.baseURL + "/token")
            #expect(document.userinfoEndpoint == h.baseURL + "/v1/userinfo")
            #expect(document.jwksURI == h.baseURL + "/oauth2/v3/certs")
            #expect(document.revocationEndpoint == h.baseURL + "/revoke")
            #expect(document.codeChallengeMethodsSupported?.contains("S256") == true)
            #expect(try await h.client.discovery() == document, "the second call is served from the cache")
            let fetches = h.logs.entries.filter { $0.metadata["google.operation"] == "discovery" }
            #expect(fetches.count == 1, "discovery is fetched once while its max-age lasts")
        }
    }

    @Test func concurrentFirstCallsShareOneDiscoveryFetch() async throws {
        try await Harness.run { h in
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<16 { group.addTask { try await h.client.discovery().tokenEndpoint } }
                for try await endpoint in group { #expect(endpoint == h.baseURL + "/token") }
            }
            #expect(h.logs.entries.filter { $0.metadata["google.operation"] == "discovery" }.count == 1)
        }
    }

    @Test func authorizationURLCarriesEveryParameterEncoded() async throws {
        try await Harness.run { h in
            let url = try await h.client.authorizationURL(
                redirectURI: Harness.redirectURI,
                state: "s t&a=te/é+",
                codeChallenge: Harness.challenge,
                nonce: "n-0S6",
                scopes: ["openid", "email", "profile"],
                loginHint: "bob@emulator-mail.test",
                prompt: "consent",
                accessType: "offline"
            )
            #expect(url.hasPrefix(h.baseURL + "/o/oauth2/v2/auth?response_type=code&client_id="))
            #expect(url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Fgoogle%2Fcallback"))
            #expect(url.contains("scope=openid%20email%20profile"))
            #expect(url.contains("state=s%20t%26a%3Dte%2F%C3%A9%2B"))
            #expect(!url.contains("include_granted_scopes"))
            let items = try #require(URLComponents(string: url)?.queryItems)
            let query = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
            #expect(items.count == query.count, "no parameter twice")
            #expect(
                query == [
                    "response_type": "code", "client_id": Harness.clientID, "redirect_uri": Harness.redirectURI,
                    "scope": "openid email profile", "state": "s t&a=te/é+", "nonce": "n-0S6", "code_challenge": Harness.challenge,
                    "code_challenge_method": "S256", "login_hint": "bob@emulator-mail.test", "prompt": "consent", "access_type": "offline",
                ]
            )
            let plain = try await h.client.authorizationURL(
                redirectURI: Harness.redirectURI,
                state: "s",
                codeChallenge: Harness.challenge,
                nonce: "n",
                scopes: ["openid"]
            )
            #expect(!plain.contains("prompt=") && !plain.contains("login_hint=") && !plain.contains("access_type="))
        }
    }

    /// The whole browser path: the URL the client builds, Google's account chooser, the approval,
    /// the redirect with a code, the exchange with the PKCE verifier, the ID token, userinfo.
    @Test func loginThroughTheAuthorizeEndpoint() async throws {
        try await Harness.run { h in
            let url = try await h.client.authorizationURL(
                redirectURI: Harness.redirectURI,
                state: "state/1 2",
                codeChallenge: Harness.challenge,
                nonce: "n-0S6",
                scopes: ["openid", "email", "profile"]
            )
            let browser = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
            defer { _ = browser.shutdown() }
            let page = try await browser.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            #expect(page.status == .ok, "the emulator accepts the authorization request as built")
            var approve = HTTPClientRequest(url: h.baseURL + "/o/oauth2/v2/auth/approve")
            approve.method = .POST
            approve.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let query = try #require(URLComponents(string: url)?.percentEncodedQuery)
            approve.body = .bytes(ByteBuffer(string: query + "&account=\(Harness.carol)&action=allow"))
            let redirect = try await browser.execute(approve, timeout: .seconds(10))
            #expect(redirect.status == .found)
            let location = try #require(redirect.headers.first(name: "Location"))
            #expect(location.hasPrefix(Harness.redirectURI + "?"))
            let callback = try #require(URLComponents(string: location)?.queryItems)
            #expect(callback.first { $0.name == "state" }?.value == "state/1 2")
            let code = try #require(callback.first { $0.name == "code" }?.value)

            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
            #expect(tokens.tokenType == "Bearer")
            #expect(tokens.expiresIn == 3599)
            #expect(tokens.accessToken.hasPrefix("ya29."))
            #expect(tokens.refreshToken == nil, "no refresh token without access_type=offline")
            #expect(tokens.scope?.contains("https://www.googleapis.com/auth/userinfo.email") == true)
            let claims = try await h.client.verifyIDToken(try #require(tokens.idToken), nonce: "n-0S6")
            #expect(claims.subject == Harness.carol)
            #expect(claims.email == "carol@workspace.emulator.test")
            #expect(claims.emailVerified)
            #expect(claims.hostedDomain == "workspace.emulator.test")
            #expect(claims.name == "Carol Park")
            #expect(claims.picture?.hasPrefix("https://") == true)
            #expect(claims.nonce == "n-0S6")
            #expect(claims.issuer == h.baseURL)
            #expect(claims.audience == Harness.clientID)
            #expect(claims.authorizedParty == Harness.clientID)
            #expect(claims.expiresAt.timeIntervalSince(claims.issuedAt) == 3600)

            let user = try await h.client.userInfo(accessToken: tokens.accessToken)
            #expect(user.subject == Harness.carol)
            #expect(user.email == "carol@workspace.emulator.test")
            #expect(user.emailVerified)
            #expect(user.hostedDomain == "workspace.emulator.test")
            #expect(user.name == "Carol Park")
            #expect(user.givenName == "Carol")
        }
    }

    @Test func unverifiedEmailAndMissingProfile() async throws {
        try await Harness.run { h in
            let tokens = try await h.tokens(user: Harness.bob)
            let claims = try await h.client.verifyIDToken(try #require(tokens.idToken), nonce: "nonce-1")
            #expect(claims.email == "bob@emulator-mail.test")
            #expect(!claims.emailVerified)
            #expect(claims.hostedDomain == nil)
            let user = try await h.client.userInfo(accessToken: tokens.accessToken)
            #expect(!user.emailVerified)

            let code = try h.code(user: Harness.alice, scope: "openid", nonce: nil)
            let bare = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
            let bareClaims = try await h.client.verifyIDToken(try #require(bare.idToken), nonce: nil)
            #expect(bareClaims.email == nil && bareClaims.name == nil && bareClaims.nonce == nil)
            let bareUser = try await h.client.userInfo(accessToken: bare.accessToken)
            #expect(bareUser.subject == Harness.alice)
            #expect(bareUser.email == nil && !bareUser.emailVerified)
        }
    }

    @Test func refreshAndRevoke() async throws {
        try await Harness.run { h in
            let tokens = try await h.tokens(accessType: "offline")
            let refreshToken = try #require(tokens.refreshToken)
            let refreshed = try await h.client.refresh(refreshToken: refreshToken)
            #expect(refreshed.refreshToken == nil, "Google does not rotate refresh tokens")
            #expect(refreshed.accessToken != tokens.accessToken)
            let claims = try await h.client.verifyIDToken(try #require(refreshed.idToken), nonce: nil)
            #expect(claims.subject == Harness.alice)
            #expect(try await h.client.userInfo(accessToken: refreshed.accessToken).subject == Harness.alice)

            try await h.client.revoke(token: refreshToken)
            try await h.client.revoke(token: refreshToken)  // already revoked: Google's invalid_token counts as done
            let dead = try #require(await h.expectError { try await h.client.refresh(refreshToken: refreshToken) })
            #expect(dead.googleError == .invalidGrant)
            #expect(dead.problem == .grantRejected)
            #expect(dead.delivery == .responded)
            let gone = try #require(await h.expectError { try await h.client.userInfo(accessToken: refreshed.accessToken) })
            #expect(gone.httpStatus == 401)
            #expect(gone.errorClass == .terminal)
        }
    }

    @Test func clientWithoutSecretIsRefusedForAWebClient() async throws {
        try await Harness.run(clientSecret: nil) { h in
            let error = try #require(await h.expectError { try await h.tokens() })
            #expect(error.googleError == .invalidRequest)
            #expect(error.problem == .requestRefused)
            #expect(error.httpStatus == 400)
        }
    }
}
