import { trace, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { NodeTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';

export interface Tracing {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/** OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTLP over HTTP/JSON to <endpoint>/v1/traces). */
export function startTracing(options: { otlpEndpoint?: string; serviceName: string }, version: string): Tracing | undefined {
  if (!options.otlpEndpoint) return undefined;
  const endpoint = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.version': version }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }))],
  });
  provider.register();
  return { tracer: trace.getTracer('wa-gateway', version), shutdown: () => provider.shutdown() };
}

/** The tracer to use: the configured one, or OpenTelemetry's no-op when tracing is off. */
export function tracer(): Tracer {
  return trace.getTracer('wa-gateway');
}

export function endSpan(span: Span, error?: string): void {
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  span.end();
}
