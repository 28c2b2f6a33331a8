// `npm run bench [-- --quick]`: what tracing costs, measured side by side with tracing off
// (OTEL_SDK_DISABLED=true) and with OpenTelemetry's zero-code set-up on this machine, in one run
// (tools/bench/run.ts): cold start, throughput, latency and CPU per visit, the same inside the
// containers' memory limit (needs root), the counter in Redis, spans exported, memory. Prints a table
// and saves it as JSON with the machine's description.
// `npm run bench -- --activator [--runs 3]` measures instead the cold start through Knative's activator
// on a cluster of this machine (tools/bench/activator.ts; root, about 5 minutes).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { measureActivatorColdStarts } from '../bench/activator.ts';
import { renderActivatorTable } from '../bench/activator-report.ts';
import { describeMachine, FULL_PLAN, QUICK_PLAN, runBenchmark } from '../bench/run.ts';
import { parseWholeNumberFlag } from '../cli/flags.ts';
import { ensureJaeger } from '../jaeger/binary.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    activator: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench-results.json' },
  },
});
const quick = values.quick;
const log = (line: string) => console.error(line);

if (values.activator) {
  const coldStarts = await measureActivatorColdStarts(parseWholeNumberFlag('runs', values.runs), log);
  console.log(renderActivatorTable(coldStarts));
  await writeFile(
    values.out,
    `${JSON.stringify({ date: new Date().toISOString(), machine: describeMachine(), coldStarts }, null, 2)}\n`,
  );
  console.log(`Saved to ${values.out}`);
  process.exit(coldStarts.every((coldStart) => coldStart.status === 200) ? 0 : 1);
}

await ensureJaeger(process.env, log);
const { table, results } = await runBenchmark(quick ? QUICK_PLAN : FULL_PLAN, log);

console.log(table);
const machine = describeMachine();
const plan = quick ? QUICK_PLAN : FULL_PLAN;
console.log(
  `\n${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}; ${quick ? 'quick' : 'full'} run: ` +
    `each throughput, latency and CPU figure is the median of ${plan.rounds} round${plan.rounds === 1 ? '' : 's'} of ${plan.seconds} s per mode, ` +
    `each cold start the median of ${plan.starts} starts`,
);
await writeFile(
  values.out,
  `${JSON.stringify({ date: new Date().toISOString(), quick, machine, table: table.split('\n'), results }, null, 2)}\n`,
);
console.log(`Saved to ${values.out}`);
