import Foundation
import HTTPTypes
import KakaoAPI
import LoginQueue
import NIOCore
import NIOHTTP1
import OAuthClientSupport
import Postgres
import TestSupport
import Testing

@testable import LoginAPI

/// `openapi.yaml` (a resource of the API, served at `/openapi.yaml`) and the router in step:
/// every route the router answers is documented with its method, and every documented path and
/// method is routed.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("every route is documented and every documented operation is routed")
    func documentMatchesRouter() async throws {
        let document = try #require(DemoController().openAPI, "openapi.yaml is not in the LoginAPI bundle")
        let documented = Set(OpenAPIOperations.parse(String(buffer: document.bytes)))
        let routed = Set(try await Self.routes().map { "\($0.method.rawValue) \(OpenAPIOperations.templated($0.path))" })
        #expect(!routed.isEmpty && !documented.isEmpty)
        #expect(routed.subtracting(documented).sorted() == [], "routed but not in openapi.yaml")
        #expect(documented.subtracting(routed).sorted() == [], "in openapi.yaml but not routed")
    }

    @Test("the API serves the document at /openapi.yaml")
    func served() async throws {
        try await Harness.run(Harness.Options(worker: false)) { harness in
            let answer = try await harness.send(.GET, "/openapi.yaml")
            #expect(answer.status == 200)
            #expect(answer.headers["Content-Type"].first == "application/yaml; charset=utf-8")
            #expect(answer.body.hasPrefix("openapi: 3.1"))
            #expect(OpenAPIOperations.parse(answer.body).contains("GET /openapi.yaml"))
        }
    }

    /// The routes of a router built as the application builds it (nothing connects).
    private static func routes() async throws -> [(method: HTTPRequest.Method, path: String)] {
        let kakao = try KakaoClientConfiguration(restAPIKey: "key", authURL: "http://127.0.0.1:9", apiURL: "http://127.0.0.1:9")
        return try await withStopping(
            kakao.makeHTTPClient(),
            stop: { await $0.shutdown() },
            { try await routes(httpClient: $0, kakao: kakao) }
        )
    }

    private static func routes(
        httpClient: ProviderHTTPClient,
        kakao: KakaoClientConfiguration
    ) async throws -> [(method: HTTPRequest.Method, path: String)] {
        let logger = TestEnvironment.logger
        let database = PostgresConfiguration(connectionString: "host=/nonexistent/kakao-login dbname=none")
        let provider = KakaoLoginProvider(client: KakaoClient(configuration: kakao, httpClient: httpClient, logger: logger))
        let parts = try await APIParts.make(database: database, provider: provider, options: Harness.Options(worker: false))
        let (_, table) = APIApplication.buildRouter(
            // Every optional route on: the demo pages and Kakao's unlink callback.
            configuration: LoginAPIConfiguration(demoPage: true, kakaoUnlinkHook: .init(adminKey: "key", provider: "kakao")),
            dependencies: parts.dependencies,
            waiters: LoginWaiters()
        )
        return table.routes
    }
}

/// The operations of an OpenAPI document as `METHOD /path/{param}`, read from its `paths:`
/// block (two-space indentation: a path at two spaces, its methods at four). Enough for our own
/// document, which `scripts/check-openapi` validates as YAML and as OpenAPI 3.1.
enum OpenAPIOperations {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static func parse(_ yaml: String) -> [String] {
        var operations: [String] = []
        var inPaths = false
        var path: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.hasPrefix("#"), !line.isEmpty {
                inPaths = line == "paths:"
                path = nil
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast()).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if methods.contains(String(key)) { operations.append("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    /// `/auth/kakao/login/:login_id` → `/auth/kakao/login/{login_id}`.
    static func templated(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }
}
