import Foundation
import KakaoAPI
import Testing

@testable import LoginQueue

@Suite("The authorize URL's query encoding")
struct AuthorizationURLTests {
    @Test func onlyUnreservedCharactersStayAsTheyAre() {
        #expect(FormBody.component("AZaz09-._~") == "AZaz09-._~")
        #expect(
            FormBody.component("http://127.0.0.1:8080/cb?x=1&y=a+b c,d")
                == "http%3A%2F%2F127.0.0.1%3A8080%2Fcb%3Fx%3D1%26y%3Da%2Bb%20c%2Cd"
        )
        #expect(FormBody.component("카") == "%EC%B9%B4")
        let query = "u=" + FormBody.component("a&b=c d/é")
        #expect(URLComponents(string: "https://x.test/?" + query)?.queryItems?.first?.value == "a&b=c d/é")
    }
}
