// The system as the scenarios want it, deployed only when it is not: `npm run deploy` (memory or
// Redis mode), then the backend's lag shortened so that steady traffic gives many visits a second.
import { type ClusterContext, REDIS_DEPLOY_ARGS } from './context.ts';
import { deployed, setEnv } from './knative-ops.ts';

/** The backend's lag in the scenarios: short, so that 4 loops make ~20 visits a second (manifests: 1 to 10 s). */
export const SHORT_LAG = { LAG_MIN_MS: '20', LAG_MAX_MS: '200' };

export type CounterStore = 'memory' | 'redis';

async function storeOf(ctx: ClusterContext): Promise<CounterStore> {
  const env = await ctx.kubectl([
    'get',
    'ksvc',
    'backend',
    '-n',
    'default',
    '-o',
    'jsonpath={.spec.template.spec.containers[0].env[*].name}',
  ]);
  return env.split(' ').includes('COUNTER_STORE') ? 'redis' : 'memory';
}

export async function prepare(ctx: ClusterContext, store: CounterStore): Promise<void> {
  if (!(await deployed(ctx)) || (await storeOf(ctx)) !== store) {
    await ctx.forgetJaeger();
    await ctx.deploy(store === 'redis' ? REDIS_DEPLOY_ARGS : []);
  }
  await setEnv(ctx, 'backend', SHORT_LAG);
}
