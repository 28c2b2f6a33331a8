// `npm run load -- [--visits N] [--concurrency C] [--url URL]`: sends visits to the frontend, shows
// progress, then a latency summary and histogram, the check of the visitor numbers, the errors by
// status and the trace ids of the slowest visits. Exits 1 when a visit failed or a number repeated.
import { parseArgs } from 'node:util';
import { parseWholeNumberFlag } from '../cli/flags.ts';
import { analyzeLoad, loadFailed, renderLoadReport } from '../load/report.ts';
import { type Progress, runLoad } from '../load/run.ts';

const usage = 'usage: npm run load -- [--visits 20] [--concurrency 4] [--url http://localhost:8080]';

function progressPrinter(): (progress: Progress) => void {
  const interactive = process.stderr.isTTY;
  let lastTenth = -1;
  return ({ done, total, inFlight, failed }) => {
    const line = `${done}/${total} visits done, ${inFlight} in flight, ${failed} failed`;
    if (interactive) {
      process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((10 * done) / total);
    if (tenth !== lastTenth) process.stderr.write(`${line}\n`);
    lastTenth = tenth;
  };
}

try {
  const { values } = parseArgs({
    options: {
      visits: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '4' },
      url: { type: 'string', default: 'http://localhost:8080' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
  } else {
    const visits = parseWholeNumberFlag('visits', values.visits);
    const concurrency = parseWholeNumberFlag('concurrency', values.concurrency);
    const url = new URL(values.url).href;
    console.error(`Sending ${visits} visits to ${url}, ${concurrency} at a time…`);
    const report = analyzeLoad(await runLoad({ url, visits, concurrency, onProgress: progressPrinter() }));
    console.log(renderLoadReport(report));
    process.exitCode = loadFailed(report) ? 1 : 0;
  }
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${usage}`);
  process.exitCode = 2;
}
