import Logging
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry traces for a server process (`api`, `worker`, `dev`). With
/// `OTEL_EXPORTER_OTLP_ENDPOINT` set, swift-otel's tracer becomes the process's tracer and its
/// batching OTLP/HTTP exporter a service to run first in the group (so it stops last, after the
/// spans of the shutdown). Unset, nothing is bootstrapped: every span is swift-distributed-tracing's
/// no-op span and nothing is sent. Only traces: metrics stay Prometheus, logs stay ours.
///
/// Exporting never holds up a login: spans queue in memory (dropped when the queue is full) and
/// are sent in the background, whatever the collector does.
enum TracingBootstrap {
    /// Bootstraps the tracer (once per process) when tracing is on, and returns its service.
    static func service(settings: Settings, logger: Logger) throws -> (any Service)? {
        guard settings.otlpEndpoint != nil else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.otelServiceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        // swift-otel reads OTEL_EXPORTER_OTLP_ENDPOINT itself and appends /v1/traces.
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }

    /// What puts `trace_id` and `span_id` on the log lines written inside a span, when tracing is on.
    static func loggingMetadata(settings: Settings) -> Logger.MetadataProvider? {
        settings.otlpEndpoint == nil ? nil : OTel.makeLoggingMetadataProvider()
    }
}
