import ArgumentParser
import Benchmarks

/// What the `bench` commands share: the library's choices as flag values, and its input errors
/// as usage errors (exit 64 with the usage, as ArgumentParser reports a bad flag).
enum BenchArguments {
    /// Runs `body`; a ``BenchInputError`` becomes a `ValidationError` with the same message.
    static func usage<Result>(_ body: () throws(BenchInputError) -> Result) throws(ValidationError) -> Result {
        do {
            return try body()
        } catch {
            throw ValidationError(error.description)
        }
    }
}

extension LoginArrivals: ExpressibleByArgument {}
extension EmulatorBenchmark.LoadClient: ExpressibleByArgument {}
extension BenchProvider: ExpressibleByArgument {}
