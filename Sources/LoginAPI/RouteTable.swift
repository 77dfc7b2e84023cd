import HTTPTypes
import Hummingbird

/// Registers routes and remembers each path's methods, so that another method on a known path
/// is `405 method_not_allowed` with `Allow`, not `404`.
struct RouteTable {
    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response
    private var methods: [String: [HTTPRequest.Method]] = [:]
    private var order: [String] = []

    /// Every route registered with a handler of its own, as `(method, path)` in registration
    /// order; paths in Hummingbird's form (`/auth/kakao/login/:login_id`).
    var routes: [(method: HTTPRequest.Method, path: String)] {
        order.flatMap { path in (methods[path] ?? []).map { (method: $0, path: path) } }
    }

    mutating func get(_ path: String, on group: RouterGroup<APIRequestContext>, use handler: @escaping Handler) {
        add(path, .get, on: group, handler)
    }

    mutating func post(_ path: String, on group: RouterGroup<APIRequestContext>, use handler: @escaping Handler) {
        add(path, .post, on: group, handler)
    }

    mutating func delete(_ path: String, on group: RouterGroup<APIRequestContext>, use handler: @escaping Handler) {
        add(path, .delete, on: group, handler)
    }

    private mutating func add(
        _ path: String,
        _ method: HTTPRequest.Method,
        on group: RouterGroup<APIRequestContext>,
        _ handler: @escaping Handler
    ) {
        group.on(RouterPath(path), method: method, use: handler)
        if methods[path] == nil { order.append(path) }
        methods[path, default: []].append(method)
    }

    /// The methods a known path answers with `405` when it has no handler for them: the
    /// standard ones (CORS preflights are answered before routing) and the draft `QUERY`.
    /// Methods outside this list fall through to `404`, as Hummingbird routes by method too.
    static let answeredMethods: [HTTPRequest.Method] = [
        .get, .head, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!,
    ]

    func answerOtherMethods(on group: RouterGroup<APIRequestContext>) {
        for path in order {
            let allowed = methods[path] ?? []
            // HEAD is generated for GET routes.
            let allow = (allowed.contains(.get) ? allowed + [.head] : allowed).map(\.rawValue).joined(separator: ", ")
            for method in Self.answeredMethods where !allowed.contains(method) {
                if method == .head, allowed.contains(.get) { continue }
                group.on(RouterPath(path), method: method) { _, _ -> Response in
                    throw APIError(
                        .methodNotAllowed,
                        .methodNotAllowed,
                        "This path does not answer this method.",
                        headers: [.allow: allow]
                    )
                }
            }
        }
    }
}
