// The batch span processor's settings, read from OTEL_BSP_* as the SDK reads them, and the exporter
// chosen by OTEL_TRACES_EXPORTER.
import test from 'ava';
import { readBatchSettings, readTracesExporter } from '../../functions/backend/src/lib/tracing.ts';
import { captureDiagWarnings } from '../helpers/tracing.ts';

const cases: [string, NodeJS.ProcessEnv, ReturnType<typeof readBatchSettings>][] = [
  ['none set: the SDK defaults', {}, {}],
  [
    'every one set',
    {
      OTEL_BSP_MAX_QUEUE_SIZE: '4096',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_EXPORT_TIMEOUT: '10000',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '256',
    },
    { maxQueueSize: 4096, scheduledDelayMillis: 100, exportTimeoutMillis: 10_000, maxExportBatchSize: 256 },
  ],
  ['blank: the default', { OTEL_BSP_SCHEDULE_DELAY: ' ' }, {}],
  ['not a number: the default', { OTEL_BSP_SCHEDULE_DELAY: 'soon' }, {}],
  ['zero: the default, as the SDK does', { OTEL_BSP_SCHEDULE_DELAY: '0' }, {}],
  ['negative: the default', { OTEL_BSP_MAX_QUEUE_SIZE: '-1' }, {}],
];

for (const [what, env, expected] of cases) {
  test(`readBatchSettings: ${what}`, (t) => {
    t.deepEqual(readBatchSettings(env), expected);
  });
}

const warnings = captureDiagWarnings();

const exporterCases: [string | undefined, 'otlp' | 'none', RegExp | undefined][] = [
  [undefined, 'otlp', undefined],
  ['', 'otlp', undefined],
  ['otlp', 'otlp', undefined],
  [' None ', 'none', undefined],
  ['console', 'otlp', /OTEL_TRACES_EXPORTER is "console": only otlp \(the default\) and none are supported here/],
  ['otlp,console', 'otlp', /OTEL_TRACES_EXPORTER is "otlp,console"/],
];

for (const [raw, expected, warning] of exporterCases) {
  test.serial(`readTracesExporter: ${JSON.stringify(raw)} is ${expected}`, (t) => {
    warnings.length = 0;
    t.is(readTracesExporter(raw === undefined ? {} : { OTEL_TRACES_EXPORTER: raw }), expected);
    if (warning) t.regex(warnings.join('\n'), warning);
    else t.deepEqual(warnings, []);
  });
}
