import Accounts
import Testing

/// What a session records of its client: a browser or app family from the User-Agent (in-app
/// and derived browsers before the engines they name), never the header itself.
@Suite("Session device")
struct SessionDeviceTests {
    @Test(
        "the family of common User-Agents",
        arguments: [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome"),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari"
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 KAKAOTALK 10.8.5",
                "KakaoTalk"
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge"
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
                "Samsung Internet"
            ),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox"),
            ("curl/8.5.0", "curl"),
            ("SomethingElse/1.0", "other"),
        ]
    )
    func family(_ userAgent: String, _ family: String) {
        #expect(SessionDevice.family(ofUserAgent: userAgent) == family)
    }

    @Test("no User-Agent is an unknown family; long or empty values are cut or dropped")
    func unknownAndBounds() {
        #expect(SessionDevice.family(ofUserAgent: nil) == nil)
        #expect(SessionDevice.family(ofUserAgent: "") == nil)
        let device = SessionDevice(userAgentFamily: String(repeating: "x", count: 40), clientNetwork: String(repeating: "1", count: 65))
        #expect(device.userAgentFamily?.count == 32)
        #expect(device.clientNetwork == nil)
        #expect(SessionDevice(userAgentFamily: "", clientNetwork: "").userAgentFamily == nil)
    }
}
