// `npm run faults`: runs the fault scenarios against the local system (real processes, a real
// Jaeger) and prints a table of scenario, expected, observed and pass. Exits 1 when any fails.
import { renderFaultsTable, runScenarios } from '../faults/run.ts';
import { SCENARIOS } from '../faults/scenarios.ts';
import { ensureJaeger } from '../jaeger/binary.ts';

const log = (line: string) => console.error(line);
await ensureJaeger(process.env, log);
const started = performance.now();
const rows = await runScenarios(SCENARIOS, log);
console.log(renderFaultsTable(rows));
const failed = rows.filter((row) => !row.pass).length;
console.log(`\n${rows.length} scenarios in ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`faults: ${rows.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
