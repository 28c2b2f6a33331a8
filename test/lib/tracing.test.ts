// The batch span processor's settings, read from OTEL_BSP_* as the SDK reads them.
import test from 'ava';
import { readBatchSettings } from '../../functions/backend/src/lib/tracing.ts';

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
