// What a fault scenario is, apart from the list of them (scenarios.ts), so that the modules that
// define scenarios and the list that names them do not import each other.
import type { Processes } from '../local/system.ts';

/** One expectation of a scenario, as `npm run faults` shows it and as test/faults.test.ts asserts it. */
export interface Row {
  scenario: string;
  expected: string;
  observed: string;
  pass: boolean;
}

/**
 * A fault scenario: it starts what it needs through `processes` (all stopped by the caller, even when
 * it throws), acts, and answers one row per expectation. `npm run faults` renders the rows as its
 * table; test/faults.test.ts runs the same scenarios and fails on any row that does not pass.
 */
export interface Scenario {
  name: string;
  run(processes: Processes): Promise<Row[]>;
}
