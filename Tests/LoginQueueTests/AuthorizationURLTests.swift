import Foundation
import Testing

@testable import LoginQueue

@Suite("The authorize URL's query encoding")
struct AuthorizationURLTests {
    @Test func onlyUnreservedCharactersStayAsTheyAre() {
        #expect(KakaoLoginProvider.percentEncoded("AZaz09-._~") == "AZaz09-._~")
        #expect(
            KakaoLoginProvider.percentEncoded("http://127.0.0.1:8080/cb?x=1&y=a+b c,d")
                == "http%3A%2F%2F127.0.0.1%3A8080%2Fcb%3Fx%3D1%26y%3Da%2Bb%20c%2Cd")
        #expect(KakaoLoginProvider.percentEncoded("카") == "%EC%B9%B4")
        let query = "u=" + KakaoLoginProvider.percentEncoded("a&b=c d/é")
        #expect(URLComponents(string: "https://x.test/?" + query)?.queryItems?.first?.value == "a&b=c d/é")
    }
}
