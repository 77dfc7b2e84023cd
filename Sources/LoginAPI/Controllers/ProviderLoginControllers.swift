import Hummingbird
import LoginQueue

/// The login routes of every provider this API serves, `/auth/{provider}/…`: each request goes
/// to the ``LoginController`` of the provider its path names; a provider not served is
/// `404 not_found`, like any unknown path.
struct ProviderLoginControllers: Sendable {
    let controllers: [String: LoginController]

    init(_ controllers: [LoginController]) {
        self.controllers = Dictionary(controllers.map { ($0.provider.route, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func start(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await controller(context).start(request, context: context)
    }

    func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await controller(context).login(request, context: context)
    }

    func poll(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await controller(context).poll(request, context: context)
    }

    /// The provider's controller; one the path names but this API does not serve is not found.
    func controller(_ context: APIRequestContext) throws -> LoginController {
        guard let route = context.parameters.get("provider"), let controller = controllers[route] else { throw APIError.notFound }
        return controller
    }
}
