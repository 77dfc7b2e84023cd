import EmulatorTestSupport
import Hummingbird
import KakaoEmulator
import NIOHTTP1
import Testing

/// `/_emulator/stats` counts the requests to every path the emulator serves.
@Suite("Emulator request counts")
struct RequestCountTests {
    @Test("every route the router serves is counted under its path")
    func everyRouteCounted() async throws {
        try await EmulatorHTTP.run { http throws in
            let routes = http.emulator.buildRouter().routes
            let paths = Set(routes.map(\.path.description))
            #expect(paths.contains("/v1/oidc/userinfo"))
            for route in routes {
                _ = try await http.send(HTTPMethod(rawValue: route.method.rawValue), route.path.description)
            }
            let counted = http.emulator.stats.requestsByPath
            #expect(Set(counted.keys) == paths)
            for path in paths {
                #expect(counted[path] == routes.filter { $0.path.description == path }.count, "\(path)")
            }
            let json = try await http.get("/_emulator/stats").json["requests_by_path"] as? [String: Int]
            #expect(json?["/v1/oidc/userinfo"] == 2)
        }
    }
}
