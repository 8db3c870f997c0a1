// Emits OpenTelemetry spans the way an instrumented Node service does: an SDK OTLP/HTTP exporter
// at its defaults, pointed at PerfWatch only by OTEL_EXPORTER_OTLP_ENDPOINT (and, when the test
// asks, the standard OTEL_EXPORTER_OTLP_COMPRESSION=gzip). PERFWATCH_E2E_EXPORTER picks the
// package: "proto" (exporter-trace-otlp-proto: http/protobuf, the spec's default), "json"
// (exporter-trace-otlp-http) or "grpc" (exporter-trace-otlp-grpc, to port 4317's endpoint).
// Used by tst_e2e_otel; exits non-zero when an export failed.
'use strict';

const api = require('@opentelemetry/api');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const exporterPackage = {
  proto: '@opentelemetry/exporter-trace-otlp-proto',
  json: '@opentelemetry/exporter-trace-otlp-http',
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
}[process.env.PERFWATCH_E2E_EXPORTER || 'proto'];
if (!exporterPackage) {
  console.error(`PERFWATCH_E2E_EXPORTER must be proto, json or grpc, not ${process.env.PERFWATCH_E2E_EXPORTER}`);
  process.exit(2);
}
const { OTLPTraceExporter } = require(exporterPackage);
const { resourceFromAttributes } = require('@opentelemetry/resources');
const semconv = require('@opentelemetry/semantic-conventions');

let failed = false;
api.diag.setLogger(
  {
    error: (...args) => { failed = true; console.error('otel error:', ...args); },
    warn: (...args) => console.error('otel warning:', ...args),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  },
  api.DiagLogLevel.WARN,
);
require('@opentelemetry/core').setGlobalErrorHandler((error) => {
  failed = true;
  console.error('otel export error:', error && error.message ? error.message : error);
});

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: 'otel-trip-service' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())], // every setting at its default
});
const tracer = provider.getTracer('perfwatch-e2e', '1.0.0');

const now = Date.now();
const at = (offsetMs) => new Date(now - 60_000 + offsetMs);

/// A child span of `parent` from start to end (ms offsets).
function child(parent, name, kind, attributes, start, end, status) {
  const ctx = api.trace.setSpan(api.context.active(), parent);
  const span = tracer.startSpan(name, { kind, attributes, startTime: at(start) }, ctx);
  if (status) span.setStatus(status);
  span.end(at(end));
}

// GET /api/trips/{id} with the stable semantic conventions: 5 requests; the first runs the same
// query six times (N+1), the others once.
for (let i = 0; i < 5; ++i) {
  const t0 = i * 1000;
  const server = tracer.startSpan('GET /api/trips/{id}', {
    kind: api.SpanKind.SERVER,
    startTime: at(t0),
    attributes: {
      [semconv.ATTR_HTTP_REQUEST_METHOD]: 'GET',
      [semconv.ATTR_HTTP_ROUTE]: '/api/trips/{id}',
      [semconv.ATTR_URL_PATH]: `/api/trips/${100 + i}`,
      [semconv.ATTR_HTTP_RESPONSE_STATUS_CODE]: 200,
    },
  });
  const queries = i === 0 ? 6 : 1;
  for (let q = 0; q < queries; ++q) {
    child(server, 'find trips', api.SpanKind.CLIENT, {
      'db.system.name': 'mongodb',
      'db.operation.name': 'find',
      'db.collection.name': 'trips',
    }, t0 + 2 + q * 5, t0 + 6 + q * 5);
  }
  server.end(at(t0 + 45));
}

// POST /api/trips with the old semantic conventions: 3 requests, the last one fails (503); each
// validates (an internal span) and inserts (a SQL client span).
for (let i = 0; i < 3; ++i) {
  const t0 = 10_000 + i * 1000;
  const status = i === 2 ? 503 : 201;
  const server = tracer.startSpan('POST', {
    kind: api.SpanKind.SERVER,
    startTime: at(t0),
    attributes: { 'http.method': 'POST', 'http.target': '/api/trips?source=app', 'http.status_code': status },
  });
  child(server, 'validate_trip', api.SpanKind.INTERNAL, {}, t0 + 1, t0 + 21);
  child(server, 'INSERT trips', api.SpanKind.CLIENT, {
    'db.system': 'postgresql',
    'db.statement': 'INSERT INTO trips (user_id, start_time) VALUES ($1, $2)',
    'db.sql.table': 'trips',
  }, t0 + 22, t0 + 30, i === 2 ? { code: api.SpanStatusCode.ERROR, message: 'deadlock' } : undefined);
  if (status >= 500) server.setStatus({ code: api.SpanStatusCode.ERROR });
  server.end(at(t0 + 80));
}

// A background job outside any request: 2 runs of an INTERNAL root span, a processing step.
// (validate_trip above runs inside its POST's server span, so it folds into that request.)
for (let i = 0; i < 2; ++i) {
  const job = tracer.startSpan('rebuild_fare_cache', { kind: api.SpanKind.INTERNAL, startTime: at(20_000 + i * 1000) });
  job.end(at(20_000 + i * 1000 + 15));
}

provider
  .forceFlush()
  .then(() => provider.shutdown())
  .then(() => {
    if (failed) process.exit(1);
    console.log('exported the spans');
  })
  .catch((error) => {
    console.error('otel shutdown failed:', error);
    process.exit(1);
  });
