import Testing

@testable import Benchmarks

/// The checks behind the `bench` commands' flags: each refusal names the flag, as the command
/// shows it.
@Suite("bench flag validation")
struct FlagValidationTests {
    /// The message `body` refuses with, nil when it does not (any other error fails the test).
    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            #expect(error is BenchInputError)
            return (error as? BenchInputError)?.description
        }
    }

    @Test func loginsNeedExactlyOneOfConcurrencyAndRate() throws {
        #expect(try LoginLoadShape(concurrency: 64, rate: nil, arrivals: .poisson) == .closed(browsers: 64))
        #expect(try LoginLoadShape(concurrency: nil, rate: 100, arrivals: .uniform) == .open(perSecond: 100, arrivals: .uniform))
        for (concurrency, rate) in [(Int?.none, Double?.none), (64, 100)] {
            #expect(
                Self.refusal { _ = try LoginLoadShape(concurrency: concurrency, rate: rate, arrivals: .poisson) }
                    == "give either --concurrency N or --rate N"
            )
        }
    }

    @Test func loginsConfigurationRefusesValuesOutOfRange() {
        func refusal(_ configuration: LoginsBenchmark.Configuration) -> String? {
            Self.refusal { try configuration.validate() }
        }
        #expect(refusal(.init(load: .closed(browsers: 64))) == nil)
        #expect(refusal(.init(load: .closed(browsers: 1), duration: 1, warmup: 0, wait: 0, timeout: 1)) == nil)
        #expect(refusal(.init(load: .open(perSecond: 100_000, arrivals: .poisson), wait: 30, timeout: 3600)) == nil)
        #expect(refusal(.init(load: .closed(browsers: 0))) == "--concurrency must be 1…10000")
        #expect(refusal(.init(load: .closed(browsers: 10_001))) == "--concurrency must be 1…10000")
        #expect(refusal(.init(load: .open(perSecond: 0, arrivals: .poisson))) == "--rate must be above 0 (logins per second)")
        #expect(refusal(.init(load: .open(perSecond: 100_001, arrivals: .poisson))) == "--rate must be above 0 (logins per second)")
        #expect(refusal(.init(load: .open(perSecond: .nan, arrivals: .poisson))) == "--rate must be above 0 (logins per second)")
        let timesMessage = "--duration must be positive and --warmup not negative"
        #expect(refusal(.init(load: .closed(browsers: 1), duration: 0)) == timesMessage)
        #expect(refusal(.init(load: .closed(browsers: 1), warmup: -1)) == timesMessage)
        #expect(refusal(.init(load: .closed(browsers: 1), wait: 31)) == "--wait must be 0…30")
        #expect(refusal(.init(load: .closed(browsers: 1), wait: -1)) == "--wait must be 0…30")
        #expect(refusal(.init(load: .closed(browsers: 1), timeout: 0)) == "--timeout must be 1…3600")
        #expect(refusal(.init(load: .closed(browsers: 1), timeout: 3601)) == "--timeout must be 1…3600")
        // The load is checked first, as the flags were before.
        #expect(refusal(.init(load: .closed(browsers: 0), duration: 0)) == "--concurrency must be 1…10000")
    }

    @Test func loginsMeasureTheServerAsATreeAndTheBenchAlways() {
        let processes = LoginsBenchmark.Configuration(load: .closed(browsers: 1), apiPID: 10, postgresPID: 20).processes
        #expect(processes.map(\.name) == ["postgres", "api", "bench"])
        #expect(processes.map(\.tree) == [true, false, false])
        #expect(processes.prefix(2).map(\.pid) == [20, 10])
    }

    @Test func poolConcurrencyListsArePositiveIntegers() {
        #expect(PoolBenchmark.Configuration.concurrencyLevels("1,8,32") == [1, 8, 32])
        #expect(PoolBenchmark.Configuration.concurrencyLevels(" 4 , 16") == [4, 16])
        #expect(PoolBenchmark.Configuration.concurrencyLevels("1,x,8") == [1, 8])
        func refusal(_ configuration: PoolBenchmark.Configuration) -> String? { Self.refusal { try configuration.validate() } }
        #expect(refusal(.init()) == nil)
        let listMessage = "--concurrency must list positive integers, e.g. 1,8,32"
        #expect(refusal(.init(concurrencyLevels: [])) == listMessage)
        #expect(refusal(.init(concurrencyLevels: [8, 0])) == listMessage)
        #expect(refusal(.init(duration: 0)) == "--duration and --runs must be positive")
        #expect(refusal(.init(concurrencyLevels: [], runs: 0)) == "--duration and --runs must be positive")
    }

    @Test func endpointsAreHTTPHostAndPort() throws {
        let api = try BenchEndpoint("http://10.1.2.3:8080/", flag: "--api")
        #expect(api.host == "10.1.2.3")
        #expect(api.port == 8080)
        #expect(api.hostHeader == "10.1.2.3:8080")
        #expect(try BenchEndpoint("http://localhost:9090", flag: "--emulator", loopbackOnly: true).port == 9090)
        for text in ["https://example.com:443", "http://example.com", "http://127.0.0.1:80/path", "127.0.0.1:80", ""] {
            #expect(Self.refusal { _ = try BenchEndpoint(text, flag: "--api") } == "--api must be http://HOST:PORT", "\(text)")
        }
        #expect(
            Self.refusal { _ = try BenchEndpoint("http://10.0.0.1:9090", flag: "--emulator", loopbackOnly: true) }
                == "--emulator must be http://127.0.0.1:PORT (loopback only)"
        )
    }
}
