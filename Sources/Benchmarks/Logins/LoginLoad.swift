import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Drives ``LoginBrowser``s until a deadline, closed or open loop, and returns every login it
/// ran (the report keeps those that ended inside the measured window).
struct LoginLoad: Sendable {
    let shape: LoginLoadShape
    let api: BenchEndpoint
    let emulator: BenchEndpoint
    /// The `{provider}` of the routes.
    let provider: BenchProvider
    let waitSeconds: Int
    /// How long a request may go unanswered (a long-poll: beyond its wait).
    let timeout: TimeAmount
    let group: any EventLoopGroup
    private let addresses = ClientAddresses()

    init(
        shape: LoginLoadShape,
        api: BenchEndpoint,
        emulator: BenchEndpoint,
        provider: BenchProvider,
        waitSeconds: Int,
        timeout: TimeAmount,
        group: any EventLoopGroup
    ) {
        self.shape = shape
        self.api = api
        self.emulator = emulator
        self.provider = provider
        self.waitSeconds = waitSeconds
        self.timeout = timeout
        self.group = group
    }

    /// Runs logins that start before `end`, waits for the last ones to finish, and returns them
    /// all in no particular order. Throws when a request went unanswered (see
    /// ``LoginBrowser/login(from:)``).
    func run(until end: NIODeadline) async throws -> [LoginSample] {
        switch shape {
        case .closed(let browsers): return try await closedLoop(browsers: browsers, until: end)
        case .open(let rate, let arrivals): return try await openLoop(rate: rate, arrivals: arrivals, until: end)
        }
    }

    /// Opens `count` browsers, spread over the event loops.
    func openBrowsers(_ count: Int) async throws -> [LoginBrowser] {
        var browsers: [LoginBrowser] = []
        for _ in 0..<count { browsers.append(try await openBrowser()) }
        return browsers
    }

    private func openBrowser() async throws -> LoginBrowser {
        try await LoginBrowser.open(
            api: api,
            emulator: emulator,
            provider: provider,
            waitSeconds: waitSeconds,
            timeout: timeout,
            on: group.next()
        )
    }

    // MARK: closed loop

    private func closedLoop(browsers count: Int, until end: NIODeadline) async throws -> [LoginSample] {
        let browsers = try await openBrowsers(count)
        return try await withThrowingTaskGroup(of: [LoginSample].self) { group in
            for first in browsers {
                group.addTask {
                    var browser = first
                    var samples: [LoginSample] = []
                    while NIODeadline.now() < end, !Task.isCancelled {
                        let sample = try await browser.login(from: addresses.next())
                        samples.append(sample)
                        if case .connectionLost = sample.outcome {
                            await browser.close()
                            browser = try await openBrowser()
                        }
                    }
                    await browser.close()
                    return samples
                }
            }
            var all: [LoginSample] = []
            for try await samples in group { all += samples }
            return all
        }
    }

    // MARK: open loop

    private func openLoop(rate: Double, arrivals: LoginArrivals, until end: NIODeadline) async throws -> [LoginSample] {
        // Enough browsers for a few hundred milliseconds of arrivals, opened before the clock.
        let idle = NIOLockedValueBox(try await openBrowsers(max(4, Int(rate / 5))))
        let samples = try await withThrowingTaskGroup(of: LoginSample.self) { group in
            var next = NIODeadline.now()
            var generator = SystemRandomNumberGenerator()
            while next < end {
                let wait = next - .now()
                if wait > .zero { try? await Task.sleep(for: .nanoseconds(wait.nanoseconds)) }
                group.addTask {
                    let taken = idle.withLockedValue { $0.popLast() }
                    let browser: LoginBrowser
                    if let taken {
                        browser = taken
                    } else {
                        do {
                            browser = try await openBrowser()
                        } catch {
                            return LoginSample(outcome: .connectionLost("connect"))
                        }
                    }
                    let sample = try await browser.login(from: addresses.next())
                    if case .connectionLost = sample.outcome {
                        await browser.close()
                    } else {
                        idle.withLockedValue { $0.append(browser) }
                    }
                    return sample
                }
                let gap =
                    switch arrivals {
                    case .uniform: 1 / rate
                    case .poisson: -log(Double.random(in: Double.ulpOfOne..<1, using: &generator)) / rate
                    }
                next = next + .nanoseconds(Int64(gap * 1e9))
            }
            var all: [LoginSample] = []
            for try await sample in group { all.append(sample) }
            return all
        }
        for browser in idle.withLockedValue({ $0 }) { await browser.close() }
        return samples
    }
}

/// A fresh client address for every login: `10.0.0.1`, `10.0.0.2`, … (16 million of them).
final class ClientAddresses: Sendable {
    private let counter = Atomic<UInt32>(0)

    func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue & 0x00FF_FFFF
        return "10.\(n >> 16).\((n >> 8) & 0xFF).\(n & 0xFF)"
    }
}
