// The fault scenarios, in the order `npm run faults` runs them and test/faults.test.ts names them.
import { badInput, security } from './input-scenarios.ts';
import { redisStore } from './redis-scenarios.ts';
import { concurrency, deadCollector, deadOrSlowBackend, stopUnderLoad, uncaughtError } from './runtime-scenarios.ts';
import type { Scenario } from './scenario.ts';

export type { Row, Scenario } from './scenario.ts';

export const SCENARIOS: readonly Scenario[] = [
  concurrency,
  deadOrSlowBackend,
  redisStore,
  deadCollector,
  stopUnderLoad,
  uncaughtError,
  badInput,
  security,
];
