import ServiceLifecycle

/// Runs a provider's ``ProviderHTTPClient`` inside a ServiceGroup: waits for graceful shutdown, then shuts
/// the client down. Put it before the services that call the provider, so it stops after them.
package struct HTTPClientService: Service {
    /// The client shut down on graceful shutdown.
    package let httpClient: ProviderHTTPClient

    /// - Parameter httpClient: best made with the provider configuration's `makeHTTPClient`.
    package init(httpClient: ProviderHTTPClient) {
        self.httpClient = httpClient
    }

    /// Waits for graceful shutdown (or cancellation), then shuts the client down.
    package func run() async throws {
        try? await gracefulShutdown()
        await httpClient.shutdown()
    }
}
