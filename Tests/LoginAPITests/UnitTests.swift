import Foundation
import LoginQueue
import ServiceLifecycleTestKit
import Testing

@testable import LoginAPI

/// The parts that need no server.
@Suite("Units")
struct UnitTests {
    @Test("start's scope: each item once; refused for a provider that asks for its own scopes only")
    func startScopes() throws {
        let request = try JSONDecoder().decode(
            StartRequest.self,
            from: Data(#"{"scope": ["account_email", "gender", "account_email"]}"#.utf8)
        )
        #expect(try request.additionalScopes(allowed: true) == ["account_email", "gender"])
        #expect(throws: APIError.self) { try request.additionalScopes(allowed: false) }
        let none = try JSONDecoder().decode(StartRequest.self, from: Data(#"{"scope": []}"#.utf8))
        #expect(try none.additionalScopes(allowed: false) == [])
    }

    @Test("CIDR blocks")
    func networks() throws {
        let v4 = try #require(IPNetwork("10.1.0.0/16"))
        #expect(v4.contains(try #require(IPAddress("10.1.200.3"))))
        #expect(!v4.contains(try #require(IPAddress("10.2.0.1"))))
        #expect(!v4.contains(try #require(IPAddress("::1"))))
        let v6 = try #require(IPNetwork("fd00::/8"))
        #expect(v6.contains(try #require(IPAddress("fd12:3456::1"))))
        #expect(!v6.contains(try #require(IPAddress("fe80::1"))))
        let single = try #require(IPNetwork("192.0.2.1"))
        #expect(single.contains(try #require(IPAddress("192.0.2.1"))))
        #expect(!single.contains(try #require(IPAddress("192.0.2.2"))))
        #expect(IPNetwork("10.0.0.0/33") == nil)
        #expect(IPNetwork("nonsense") == nil)
        #expect(IPAddress("::ffff:127.0.0.1")?.description == "127.0.0.1")
        #expect(IPAddress("2001:DB8::1")?.description == "2001:db8::1")
        #expect(IPAddress("127.0.0.2")?.isLoopback == true)
        #expect(IPAddress("::1")?.isLoopback == true)
        #expect(IPAddress("::2")?.isLoopback == false)
        #expect(IPAddress("10.1.2.3")?.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 2, 3])
        let wide = try #require(IPNetwork("2001:db8:aaaa:bbbb:cc00::/72"))
        #expect(wide.contains(try #require(IPAddress("2001:db8:aaaa:bbbb:ccff::1"))))
        #expect(!wide.contains(try #require(IPAddress("2001:db8:aaaa:bbbb:cd00::1"))))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains(try #require(IPAddress("203.0.113.9"))))
        #expect(try #require(IPNetwork("::/0")).contains(try #require(IPAddress("fe80::1"))))
    }

    @Test("X-Forwarded-For is believed only behind trusted proxies, from the right")
    func forwardedFor() throws {
        let resolver = ClientAddressResolver(trustedProxies: [IPNetwork("10.0.0.0/8")!])
        let proxy = IPAddress("10.0.0.5")
        let direct = IPAddress("198.51.100.1")
        #expect(resolver.clientAddress(peer: direct, forwardedFor: ["203.0.113.9"]) == direct)
        #expect(resolver.clientAddress(peer: proxy, forwardedFor: ["192.0.2.1, 203.0.113.9, 10.0.0.7"]) == IPAddress("203.0.113.9"))
        #expect(resolver.clientAddress(peer: proxy, forwardedFor: ["192.0.2.1", "203.0.113.9"]) == IPAddress("203.0.113.9"))
        #expect(resolver.clientAddress(peer: proxy, forwardedFor: []) == proxy)
        #expect(resolver.clientAddress(peer: proxy, forwardedFor: ["garbage, 10.0.0.7"]) == IPAddress("10.0.0.7"))
        // Spaces and tabs around an element are HTTP's optional white space; nothing else is.
        #expect(resolver.clientAddress(peer: proxy, forwardedFor: ["192.0.2.1,\t203.0.113.9 \t, 10.0.0.7 "]) == IPAddress("203.0.113.9"))
        #expect(resolver.clientAddress(peer: proxy, forwardedFor: ["192.0.2.1, \u{00A0}203.0.113.9"]) == proxy)
        #expect(resolver.clientAddress(peer: proxy, forwardedFor: [" , 203.0.113.9"]) == IPAddress("203.0.113.9"))
    }

    @Test("a JSON body's media type: case-insensitive, parameters and optional white space allowed")
    func jsonMediaType() {
        for good in [
            "application/json", "Application/JSON", "application/json; charset=utf-8", " \tapplication/json \t;charset=utf-8",
            "application/json;",
        ] {
            #expect(JSONBodyMiddleware.isJSON(good), "\(good)")
        }
        for bad in [
            "", " ", "text/plain", "application/jsonx", "application/json-seq", "application / json", "\u{00A0}application/json",
            "application/x-www-form-urlencoded",
        ] {
            #expect(!JSONBodyMiddleware.isJSON(bad), "\(bad)")
        }
    }

    @Test("token buckets: a burst, then one per interval, per client")
    func tokenBuckets() {
        let limiter = TokenBucketLimiter(perMinute: 2)
        let start = ContinuousClock.now
        let a = IPNetwork("192.0.2.1")
        #expect(limiter.take(for: a, now: start) == .allowed)
        #expect(limiter.take(for: a, now: start) == .allowed)
        #expect(limiter.take(for: a, now: start) == .limited(retryAfterSeconds: 30))
        #expect(limiter.take(for: IPNetwork("192.0.2.2"), now: start) == .allowed)
        #expect(limiter.take(for: a, now: start + .seconds(30)) == .allowed)
    }

    @Test("token buckets stay bounded")
    func tokenBucketsBounded() {
        let limiter = TokenBucketLimiter(perMinute: 1, maximumClients: 10)
        let now = ContinuousClock.now
        for last in 1...100 { _ = limiter.take(for: IPNetwork("192.0.2.\(last)"), now: now) }
        #expect(limiter.clientCount <= 10)
        // The newest client is still limited.
        #expect(limiter.take(for: IPNetwork("192.0.2.100"), now: now) != .allowed)
    }

    /// Before, a full table was emptied at once, so a flood of new addresses reset every limited
    /// client; now the full buckets and then the least recently used go first.
    @Test("a flood of new clients does not reset a client that keeps being limited")
    func floodDoesNotResetLimitedClient() {
        let limiter = TokenBucketLimiter(perMinute: 2, maximumClients: 10)
        let now = ContinuousClock.now
        let abuser = IPNetwork("198.51.100.1")
        _ = limiter.take(for: abuser, now: now)
        _ = limiter.take(for: abuser, now: now)
        for index in 1...500 {
            let at = now + .milliseconds(index)
            _ = limiter.take(for: IPNetwork("203.0.\(index / 250).\(index % 250)"), now: at)
            if index % 3 == 0 { #expect(limiter.take(for: abuser, now: at) != .allowed, "after \(index) new clients") }
            #expect(limiter.clientCount <= 10)
        }
    }

    @Test("an IPv6 client is its /64 (or the configured prefix); IPv4 stays one address")
    func clientKeys() throws {
        func key(_ text: String, _ prefix: Int = 64) throws -> IPNetwork {
            IPNetwork(client: try #require(IPAddress(text)), ipv6PrefixLength: prefix)
        }
        #expect(try key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff:ee:dd:cc"))
        #expect(try key("2001:db8:1:2::1") != key("2001:db8:1:3::1"))
        #expect(try key("2001:db8:1:2::1").description == "2001:db8:1:2::/64")
        #expect(try key("2001:db8:1:2::1", 48) == key("2001:db8:1:ff::1", 48))
        #expect(try key("2001:db8:1:2::1", 128) != key("2001:db8:1:2::2", 128))
        #expect(try key("192.0.2.1") != key("192.0.2.2"))
        #expect(try key("192.0.2.1").description == "192.0.2.1/32")
        #expect(try key("::ffff:192.0.2.1") == key("192.0.2.1"))
        // A session's recorded network: an IPv4 /24, an IPv6 /48.
        let v4 = IPNetwork(client: try #require(IPAddress("192.0.2.77")), ipv4PrefixLength: 24, ipv6PrefixLength: 48)
        #expect(v4.description == "192.0.2.0/24")
        let v6 = IPNetwork(client: try #require(IPAddress("2001:db8:1:2::1")), ipv4PrefixLength: 24, ipv6PrefixLength: 48)
        #expect(v6.description == "2001:db8:1::/48")
    }

    @Test("poll slots: bounded per client and per login, and given back")
    func pollSlots() throws {
        let slots = PollSlots(perClient: 2, perLogin: 1)
        let (a, b) = (IPNetwork("192.0.2.1"), IPNetwork("192.0.2.2"))
        let (first, second, third) = (UUID(), UUID(), UUID())
        let held = try #require(slots.acquire(client: a, loginID: first))
        #expect(slots.acquire(client: b, loginID: first) == nil)
        let other = try #require(slots.acquire(client: a, loginID: second))
        #expect(slots.acquire(client: a, loginID: third) == nil)
        #expect(slots.acquire(client: b, loginID: third) != nil)
        slots.release(held)
        slots.release(other)
        #expect(slots.acquire(client: a, loginID: first) != nil)
        #expect(slots.waiting == 2)
    }

    @Test("a wake-up between the read and the wait is not lost", .timeLimit(.minutes(1)))
    func wakeBeforeWait() async {
        let waiters = LoginWaiters()
        let id = UUID()
        let registration = waiters.register(id)
        waiters.wake(id)
        await registration.wait(upTo: .seconds(600))
        waiters.unregister(registration)
        #expect(waiters.count == 0)
    }

    @Test("a waiting poll is woken, and close() releases every wait", .timeLimit(.minutes(1)))
    func wakeAndClose() async {
        let waiters = LoginWaiters()
        let id = UUID()
        let registration = waiters.register(id)
        async let waited: Void = registration.wait(upTo: .seconds(600))
        // Keep waking until the wait has returned (the wait may not have begun yet).
        let wakes = Task {
            while !Task.isCancelled {
                waiters.wake(id)
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        await waited
        wakes.cancel()
        waiters.close()
        await registration.wait(upTo: .seconds(600))
        waiters.unregister(registration)
    }

    @Test("a wait nobody wakes ends at its duration, again and again on one registration", .timeLimit(.minutes(1)))
    func waitTimesOut() async {
        let waiters = LoginWaiters()
        let registration = waiters.register(UUID())
        for _ in 1...3 { await registration.wait(upTo: .milliseconds(50)) }
        await registration.wait(upTo: .zero)
        waiters.unregister(registration)
        #expect(waiters.count == 0)
    }

    @Test("cancelling the polling task ends its wait", .timeLimit(.minutes(1)))
    func cancelledWait() async {
        let waiters = LoginWaiters()
        let registration = waiters.register(UUID())
        let poll = Task { await registration.wait(upTo: .seconds(600)) }
        try? await Task.sleep(for: .milliseconds(20))
        poll.cancel()
        await poll.value
        waiters.unregister(registration)
    }

    @Test("graceful shutdown ends a waiting poll, and a poll that starts during it returns at once", .timeLimit(.minutes(1)))
    func gracefulShutdownEndsWaits() async {
        let waiters = LoginWaiters()
        let registration = waiters.register(UUID())
        await testGracefulShutdown { shutdown in
            async let waited: Void = registration.wait(upTo: .seconds(600))
            shutdown.triggerGracefulShutdown()
            await waited
            await registration.wait(upTo: .seconds(600))
        }
        waiters.unregister(registration)
    }

    @Test("a login enqueued here is known pending for its own reader until its notification")
    func awaitedCompletions() {
        let waiters = LoginWaiters()
        let readerA = ReaderToken("reader-a")
        let id = UUID()
        waiters.expectCompletion(of: id, reader: readerA)
        #expect(!waiters.isAwaitingCompletion(id, reader: readerA), "nothing is trusted while the listener is not connected")

        waiters.setListening(true)
        waiters.expectCompletion(of: id, reader: readerA)
        #expect(waiters.isAwaitingCompletion(id, reader: readerA))
        #expect(!waiters.isAwaitingCompletion(id, reader: ReaderToken("reader-b")), "another reader reads the row (and gets 404)")
        #expect(!waiters.isAwaitingCompletion(UUID(), reader: readerA))
        waiters.wake(id)
        #expect(!waiters.isAwaitingCompletion(id, reader: readerA), "done: the next poll reads the row")

        let other = UUID()
        waiters.expectCompletion(of: other, reader: readerA)
        waiters.wakeAll()
        #expect(!waiters.isAwaitingCompletion(other, reader: readerA), "notifications may have been missed")
        waiters.expectCompletion(of: other, reader: readerA)
        waiters.forget(other)
        #expect(!waiters.isAwaitingCompletion(other, reader: readerA))

        let expiring = LoginWaiters(completionMemory: .zero)
        expiring.setListening(true)
        let first = UUID()
        expiring.expectCompletion(of: first, reader: readerA)
        expiring.expectCompletion(of: UUID(), reader: readerA)
        #expect(!expiring.isAwaitingCompletion(first, reader: readerA), "forgotten after the completion memory")
    }
}
