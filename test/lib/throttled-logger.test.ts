import test from 'ava';
import { createThrottledLogger } from '../../functions/backend/src/lib/throttled-logger.ts';

test('writes at most one line per interval and counts the ones it dropped', (t) => {
  let now = 0;
  const lines: string[] = [];
  const logger = createThrottledLogger((line) => lines.push(line), { intervalMs: 1000, now: () => now });

  logger.error('export failed', new Error('14 UNAVAILABLE'));
  for (let attempt = 0; attempt < 50; attempt += 1) {
    now += 10;
    logger.error('export failed', new Error('14 UNAVAILABLE'));
  }
  t.deepEqual(lines, ['opentelemetry error: export failed 14 UNAVAILABLE']);

  now = 1000;
  logger.warn('queue full');
  t.is(lines.length, 2);
  t.is(lines[1], 'opentelemetry warn: queue full (50 similar messages suppressed)');
});

test('an hour of failures every 5 seconds costs 120 lines at a 30 s interval, not 720', (t) => {
  let now = 0;
  let count = 0;
  const logger = createThrottledLogger(() => count++, { intervalMs: 30_000, now: () => now });
  for (now = 0; now < 3_600_000; now += 5000) logger.error('export failed');
  t.is(count, 120);
});

test('describes objects and strings it is given', (t) => {
  const lines: string[] = [];
  const logger = createThrottledLogger((line) => lines.push(line), { intervalMs: 0 });
  logger.info('a', 'b', { code: 14 });
  t.deepEqual(lines, ['opentelemetry info: a b {"code":14}']);
});

test('keeps only the message of an error the SDK passes as JSON with its stack', (t) => {
  const lines: string[] = [];
  const logger = createThrottledLogger((line) => lines.push(line), { intervalMs: 0 });
  logger.error(
    JSON.stringify({ stack: 'Error: 14 UNAVAILABLE\n    at x', message: '14 UNAVAILABLE: No connection', code: '14' }),
  );
  logger.error('{not json');
  t.deepEqual(lines, ['opentelemetry error: 14 UNAVAILABLE: No connection', 'opentelemetry error: {not json']);
});
