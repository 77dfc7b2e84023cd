import GoogleAPI
import Testing

@Suite("Google client configuration")
struct ConfigurationTests {
    @Test(arguments: [
        "http://accounts.google.com", "ftp://127.0.0.1", "http://10.0.0.1:9091", "https://accounts.google.com?x=1", "not a url",
        "http://user:pw@127.0.0.1", "http://127.0.0.1.evil.example", "https://accounts.google.com#f", "",
    ])
    func rejectedIssuerURLs(url: String) {
        let error = #expect(throws: GoogleAPIError.self) { try GoogleClientConfiguration(clientID: "c", clientSecret: nil, issuerURL: url) }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.operation == .configuration)
        #expect(error?.delivery == .notSent)
        #expect(error?.problem == .clientMisconfigured)
        #expect(error?.configurationProblem != nil)
    }

    @Test(arguments: [
        "https://accounts.google.com", "http://127.0.0.1:9091", "http://localhost:9091/", "http://[::1]:9091", "http://127.0.0.2",
    ])
    func acceptedIssuerURLs(url: String) throws {
        let configuration = try GoogleClientConfiguration(clientID: "c", clientSecret: nil, issuerURL: url)
        #expect(!configuration.issuerURL.hasSuffix("/"))
        #expect(configuration.discoveryURL == configuration.issuerURL + "/.well-known/openid-configuration")
        #expect(configuration.acceptedIssuers.first == configuration.issuerURL)
    }

    @Test func defaultsAreGoogles() throws {
        let configuration = try GoogleClientConfiguration(clientID: "id.apps.googleusercontent.com", clientSecret: "s")
        #expect(configuration.clientID == "id.apps.googleusercontent.com")
        #expect(configuration.issuerURL == "https://accounts.google.com")
        #expect(configuration.discoveryURL == "https://accounts.google.com/.well-known/openid-configuration")
        #expect(configuration.acceptedIssuers == ["https://accounts.google.com", "accounts.google.com"])
        #expect(configuration.maxConnectionsPerHost >= 256)
        #expect(configuration.connectTimeout < configuration.requestTimeout)
    }

    @Test func emulatorIssuerAcceptsItsFormWithoutScheme() throws {
        let configuration = try GoogleClientConfiguration(clientID: "c", clientSecret: nil, issuerURL: "http://127.0.0.1:9091")
        #expect(configuration.acceptedIssuers == ["http://127.0.0.1:9091", "127.0.0.1:9091"])
        let strict = try GoogleClientConfiguration(
            clientID: "c",
            clientSecret: nil,
            issuerURL: "http://127.0.0.1:9091",
            acceptedIssuers: ["http://127.0.0.1:9091"]
        )
        #expect(strict.acceptedIssuers == ["http://127.0.0.1:9091"])
    }

    @Test func discoveryURLIsValidatedToo() throws {
        #expect(throws: GoogleAPIError.self) {
            try GoogleClientConfiguration(clientID: "c", clientSecret: nil, discoveryURL: "http://example.com/x")
        }
        let custom = try GoogleClientConfiguration(clientID: "c", clientSecret: nil, discoveryURL: "https://example.com/openid/")
        #expect(custom.discoveryURL == "https://example.com/openid/")
    }

    @Test func secretsStayOutOfDescriptions() throws {
        let configuration = try GoogleClientConfiguration(clientID: "c", clientSecret: "SECRET-1")
        #expect(!configuration.description.contains("SECRET-1"))
        #expect(!String(describing: configuration).contains("SECRET-1"))
    }

    @Test func badValuesAreRejected() {
        #expect(throws: GoogleAPIError.self) { try GoogleClientConfiguration(clientID: "", clientSecret: nil) }
        #expect(throws: GoogleAPIError.self) { try GoogleClientConfiguration(clientID: "a b", clientSecret: nil) }
        #expect(throws: GoogleAPIError.self) { try GoogleClientConfiguration(clientID: "c", clientSecret: "") }
        #expect(throws: GoogleAPIError.self) { try GoogleClientConfiguration(clientID: "c", clientSecret: nil, acceptedIssuers: []) }
        #expect(throws: GoogleAPIError.self) { try GoogleClientConfiguration(clientID: "c", clientSecret: nil, readTimeout: .zero) }
        #expect(throws: GoogleAPIError.self) { try GoogleClientConfiguration(clientID: "c", clientSecret: nil, maxConnectionsPerHost: 0) }
        #expect(throws: GoogleAPIError.self) { try GoogleClientConfiguration(clientID: "c", clientSecret: nil, maxResponseBytes: 10) }
        #expect(throws: GoogleAPIError.self) { try GoogleClientConfiguration(clientID: "c", clientSecret: nil, discoveryCacheTTL: .zero) }
    }
}
