import Tracing

/// The trace a job belongs to, kept in `login_jobs.trace_context` as a W3C `traceparent`: the
/// API stores the context of the request that enqueued the job, and the worker's spans join that
/// trace. With no tracer bootstrapped there is nothing to store (NULL) and nothing to join.
enum JobTraceContext {
    private static let header = "traceparent"

    /// The current span's context as a `traceparent`, or nil when no tracer records one.
    static func current() -> String? {
        guard let context = ServiceContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: Injector())
        return carrier[header]
    }

    /// A context whose parent is the stored `traceparent`; top-level when there is none (or the
    /// tracer cannot read it).
    static func context(from traceparent: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        guard let traceparent else { return context }
        InstrumentationSystem.instrument.extract([header: traceparent], into: &context, using: Extractor())
        return context
    }

    private struct Injector: Tracing.Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }

    private struct Extractor: Tracing.Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }
}
