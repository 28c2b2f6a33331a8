// `npm run page-probe -- [--visits 500] [--runs 3]`: starts Jaeger and both functions on free ports,
// makes the visits (no lag), and measures the trace page in Chromium: the bytes of its visits view and
// its time to first render with that many traces. Prints the figures; asserts nothing about them.
import { parseArgs } from 'node:util';
import { FlagValueError, parseWholeNumberFlag } from '../cli/flags.ts';
import { probePage, renderProbe } from '../page/probe.ts';

const usage = 'usage: npm run page-probe -- [--visits 500] [--runs 3]';

try {
  const { values } = parseArgs({
    options: {
      visits: { type: 'string', default: '500' },
      runs: { type: 'string', default: '3' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
  } else {
    const visits = parseWholeNumberFlag('visits', values.visits);
    const runs = parseWholeNumberFlag('runs', values.runs);
    console.log(renderProbe(await probePage({ visits, runs, progress: (line) => console.log(line) })));
  }
} catch (error) {
  if (error instanceof FlagValueError) {
    console.error(`${error.message}\n${usage}`);
    process.exitCode = 2;
  } else {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
