// The cluster fault scenarios, in the order `npm run faults -- --cluster` runs them on one cluster and
// test/cluster/faults.test.ts names them: memory mode first, scale from zero last of it (it makes
// scale to zero quick for a while), then Redis mode, which `npm run deploy` switches to once.
import {
  activatorKilled,
  backendKilled,
  backendKilledRedis,
  frontendKilled,
  jaegerKilled,
  redisKilled,
  traefikKilled,
} from './kill-scenarios.ts';
import { backendRolloutMemory, backendRolloutRedis, frontendRollout } from './rollout-scenarios.ts';
import { scaleFromZero, scaleOut } from './scale-scenarios.ts';
import type { ClusterScenario } from './scenario.ts';

export const CLUSTER_SCENARIOS: readonly ClusterScenario[] = [
  frontendRollout,
  backendRolloutMemory,
  scaleOut,
  frontendKilled,
  activatorKilled,
  traefikKilled,
  jaegerKilled,
  backendKilled,
  scaleFromZero,
  backendRolloutRedis,
  backendKilledRedis,
  redisKilled,
];
