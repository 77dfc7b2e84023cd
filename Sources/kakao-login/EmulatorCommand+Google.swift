import ArgumentParser
import GoogleEmulator

extension EmulatorCommand {
    /// Google: the file (or the defaults), then the flags on top.
    func makeGoogleConfiguration() throws -> GoogleEmulatorConfiguration {
        var configuration = try configPath.map { try GoogleEmulatorConfiguration.load(contentsOf: $0) } ?? GoogleEmulatorConfiguration()
        var client = configuration.clients[0]
        client.redirectURIs += redirectURIs.filter { !client.redirectURIs.contains($0) }
        if let clientID { client.clientID = clientID }
        if let clientSecret { client.clientSecrets = [clientSecret] }
        configuration.clients[0] = client
        if let codeLifetime { configuration.codeLifetimeSeconds = codeLifetime }
        if let issuer { configuration.issuer = issuer }
        if let idTokenIssuerForm { configuration.idTokenIssuerForm = idTokenIssuerForm }
        configuration.faults = faultOptions.applied(to: configuration.faults)
        try configuration.validate()
        return configuration
    }
}

extension GoogleEmulatorConfiguration.IssuerForm: ExpressibleByArgument {}
