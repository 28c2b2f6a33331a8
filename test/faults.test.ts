// The fault scenarios of `npm run faults`, run as tests: the same scenarios render the table, so a
// fix or an expectation cannot land in one and not the other. Every row must pass; a failing row
// names what it expected and what it observed. Serial, as `npm run faults` runs them: the latency
// and memory rows compare measurements that other scenarios' load would blur.
import test from 'ava';
import { SCENARIOS } from '../tools/faults/scenarios.ts';
import { Processes } from '../tools/local/system.ts';

for (const { name, run } of SCENARIOS) {
  test.serial(name, async (t) => {
    // The dead collector measures 17,200 visits and waits for a second 30 s window of its export log
    // (45 s to a minute in all); the rest take seconds.
    t.timeout(5 * 60_000);
    const processes = new Processes();
    t.teardown(() => processes.stopAll());
    const rows = await run(processes);
    t.true(rows.length > 0, 'a scenario that answers no row proves nothing');
    for (const row of rows) {
      t.true(row.pass, `${row.scenario.trim()}: expected ${row.expected}; observed ${row.observed}`);
    }
  });
}
