// Shared by the telemetry tests: the real OpenTelemetry SDK, registered globally for a test
// file, with an in-memory span exporter and a metric reader collected on demand.
import { after } from 'node:test';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  type CollectionResult,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A metric reader that collects when asked (no timer). */
class TestMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The SDK registered by `registerSdk`. */
export interface Sdk {
  readonly exporter: InMemorySpanExporter;
  readonly reader: MetricReader;
  /** The finished spans, in the order they ended. */
  spans(): ReadableSpan[];
  /** The finished spans with this name. */
  spansNamed(name: string): ReadableSpan[];
  /** Forgets the finished spans. */
  reset(): void;
  /** The data points of a metric, from a collection now. */
  points(name: string): Promise<DataPoint<number | Histogram>[]>;
}

/** Registers a tracer provider, a meter provider and the async-hooks context manager. */
export function registerSdk(): Sdk {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const reader = new TestMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  after(async () => {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    metrics.disable();
    context.disable();
    propagation.disable();
  });
  return {
    exporter,
    reader,
    spans: () => exporter.getFinishedSpans(),
    spansNamed: (name) => exporter.getFinishedSpans().filter((span) => span.name === name),
    reset: () => exporter.reset(),
    async points(name) {
      const result: CollectionResult = await reader.collect();
      const found = [];
      for (const scope of result.resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          if (metric.descriptor.name === name) found.push(...metric.dataPoints);
        }
      }
      return found as DataPoint<number | Histogram>[];
    },
  };
}
