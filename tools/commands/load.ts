// `npm run load -- [--visits N] [--concurrency C] [--url URL] [--host NAME] [--jaeger URL] [--wait-traces S]`:
// sends visits to the frontend (with --host, under that Host header, for an ingress that routes by
// name), shows progress, then a latency summary and histogram, the check of the visitor numbers, the
// errors by status, how many visits the frontend sampled and the trace ids of the slowest visits;
// then waits until each sampled visit's trace is whole in Jaeger, so that diagnose run next sees them
// all (an unsampled visit has none). Exits 1 when a visit failed or a number repeated; traces that
// did not arrive are a warning, not a failure.
import { parseArgs } from 'node:util';
import { parseWholeNumberFlag } from '../cli/flags.ts';
import { analyzeLoad, loadFailed, renderLoadReport } from '../load/report.ts';
import { type Progress, runLoad } from '../load/run.ts';
import { checkLoadTraces, DEFAULT_TRACE_WAIT_SECONDS, type TraceWaitProgress } from '../load/traces.ts';

const usage =
  'usage: npm run load -- [--visits 20] [--concurrency 4] [--url http://localhost:8080] [--host NAME] [--jaeger URL] ' +
  `[--wait-traces ${DEFAULT_TRACE_WAIT_SECONDS}]`;

/** One line on stderr, rewritten in place on a terminal, else printed at each tenth of the way. */
function progressLine<T>(
  format: (progress: T) => string,
  fraction: (progress: T) => number,
  done: (progress: T) => boolean,
) {
  const interactive = process.stderr.isTTY;
  let lastTenth = -1;
  return (progress: T) => {
    const line = format(progress);
    if (interactive) {
      process.stderr.write(`\r${line}${done(progress) ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor(10 * fraction(progress));
    if (tenth !== lastTenth) process.stderr.write(`${line}\n`);
    lastTenth = tenth;
  };
}

const visitProgress = () =>
  progressLine<Progress>(
    ({ done, total, inFlight, failed }) => `${done}/${total} visits done, ${inFlight} in flight, ${failed} failed`,
    ({ done, total }) => done / total,
    ({ done, total }) => done === total,
  );

const traceProgress = () =>
  progressLine<TraceWaitProgress>(
    ({ whole, total }) => `waiting for ${total} traces to reach Jaeger: ${whole}/${total} whole`,
    ({ whole, total }) => whole / total,
    ({ whole, total }) => whole === total,
  );

try {
  const { values } = parseArgs({
    options: {
      visits: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '4' },
      url: { type: 'string', default: 'http://localhost:8080' },
      host: { type: 'string' },
      jaeger: { type: 'string' },
      'wait-traces': { type: 'string', default: String(DEFAULT_TRACE_WAIT_SECONDS) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
  } else {
    const visits = parseWholeNumberFlag('visits', values.visits);
    const concurrency = parseWholeNumberFlag('concurrency', values.concurrency);
    const waitSeconds = parseWholeNumberFlag('wait-traces', values['wait-traces'], { min: 0, unit: 'seconds' });
    const url = new URL(values.url).href;
    const host = values.host;
    const to = host === undefined ? url : `${url} as ${host}`;
    console.error(`Sending ${visits} visits to ${to}, ${concurrency} at a time…`);
    const results = await runLoad({
      url,
      ...(host === undefined ? {} : { host }),
      visits,
      concurrency,
      onProgress: visitProgress(),
    });
    const report = analyzeLoad(results);
    console.log(renderLoadReport(report));
    process.exitCode = loadFailed(report) ? 1 : 0;
    // Only the sampled visits have a trace to wait for; the others were recorded nowhere.
    const traceIds = results.flatMap((result) =>
      result.traceId === undefined || result.sampled === false ? [] : [result.traceId],
    );
    if (waitSeconds > 0 && traceIds.length === 0 && report.traces.named > 0) {
      console.log('\nTraces: none to wait for: no visit was sampled (each traceresponse ended -00).');
    } else if (waitSeconds > 0) {
      const line = await checkLoadTraces({
        traceIds,
        jaegerFlag: values.jaeger,
        env: process.env,
        timeoutMs: waitSeconds * 1000,
        onProgress: traceProgress(),
      });
      console.log(`\n${line}`);
    }
  }
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${usage}`);
  process.exitCode = 2;
}
