// The fault scenarios of `npm run faults`: each runs real processes and answers rows of
// scenario, expected, observed, pass.
import type { Processes } from '../system.ts';
import { badInput, security } from './input-scenarios.ts';
import { concurrency, deadCollector, deadOrSlowBackend, stopUnderLoad, uncaughtError } from './runtime-scenarios.ts';

export interface Row {
  scenario: string;
  expected: string;
  observed: string;
  pass: boolean;
}

export type Scenario = (processes: Processes) => Promise<Row[]>;

export const SCENARIOS: [string, Scenario][] = [
  ['concurrency', concurrency],
  ['dead or slow backend', deadOrSlowBackend],
  ['dead collector', deadCollector],
  ['stopping under load', stopUnderLoad],
  ['uncaught errors', uncaughtError],
  ['bad input', badInput],
  ['security', security],
];
