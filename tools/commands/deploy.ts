// `npm run deploy`: Jaeger (jaeger/), Knative's tracing settings, then the two Knative Services
// (knative/), by server-side apply; restarts Knative's activator when its tracing keys changed; waits
// until every Knative Service is Ready, or stops at once when a Revision cannot start; then says
// where everything is.
//   npm run deploy -- --registry R      uses the images pushed to R (e.g. registry.example/alice)
//     [--jaeger-image I]                and Jaeger's image I where the cluster cannot pull Jaeger's own
//   npm run deploy -- --dry-run         prints what it would apply; needs no cluster and no registry
//   npm run deploy -- --delete          removes what it applied, and waits until it is gone
//   each with --counter-store redis     the counter in Redis: redis/ (Redis, the backend's Service for
//     [--redis-image I]                 it in place of knative/backend.yaml, and who may reach Redis),
//                                       Redis's image I, and Redis's password in Secret default/redis
import { applyTracingKeys, waitForActivatorRollout } from '../deploy/activator.ts';
import {
  applyObject,
  checkCluster,
  DeployError,
  loadKubeConfig,
  objectClient,
  removeObject,
  serverOf,
} from '../deploy/cluster.ts';
import { parseDeployOptions, USAGE, UsageError } from '../deploy/options.ts';
import { PlanError, planDeploy, renderPlan } from '../deploy/plan.ts';
import { ensureRedisSecret, REDIS_SECRET_OBJECT } from '../deploy/redis-secret.ts';
import { isKnativeObservability } from '../deploy/tracing-keys.ts';
import { waitUntilGone, waitUntilReady } from '../deploy/waits.ts';
import { describe, type KubernetesObject, loadProjectManifests, ManifestError } from '../knative/manifests.ts';

async function main(argv: string[]): Promise<number> {
  const { mode, registry, jaegerImage, timeoutSeconds, counterStore, redisImage } = parseDeployOptions(argv);
  if (mode === 'help') {
    console.log(USAGE);
    return 0;
  }
  const objects = planDeploy(await loadProjectManifests(undefined, { counterStore }), {
    registry,
    jaegerImage,
    redisImage,
  });
  if (mode === 'dry-run') {
    // The Secret as a comment: its password is made at deploy time, and a plan must not print one.
    if (counterStore === 'redis')
      console.log(`# first ${describe(REDIS_SECRET_OBJECT)}: Redis's password, made at random unless it exists`);
    process.stdout.write(renderPlan(objects));
    return 0;
  }

  const config = loadKubeConfig(process.env);
  console.log(`Cluster: ${serverOf(config)} (context ${config.getCurrentContext()})`);
  await checkCluster(config);
  const client = objectClient(config);

  if (mode === 'delete') {
    const deleted: KubernetesObject[] = [];
    const all = counterStore === 'redis' ? [REDIS_SECRET_OBJECT, ...objects] : objects;
    for (const object of [...all].reverse()) {
      const outcome = await removeObject(client, object);
      console.log(`${outcome}: ${describe(object)}`);
      if (outcome === 'deleted') deleted.push(object);
    }
    if (deleted.length > 0) {
      console.log(`Waiting up to ${timeoutSeconds} s (--timeout) until they are gone:`);
      await waitUntilGone(client, deleted, { timeoutMs: timeoutSeconds * 1000, progress: (line) => console.log(line) });
      console.log('Gone.');
    }
    return 0;
  }

  if (counterStore === 'redis') {
    // Before Redis and the backend, whose pods cannot start without it.
    console.log(`${await ensureRedisSecret(client)}: ${describe(REDIS_SECRET_OBJECT)} (Redis's password, not shown)`);
  }
  // The manifests' order puts Knative's tracing keys before any Knative Service (loadProjectManifests).
  let activatorRestarted = false;
  for (const object of objects) {
    if (isKnativeObservability(object)) {
      activatorRestarted = await applyTracingKeys(client, object, { say: (line) => console.log(line) });
      continue;
    }
    await applyObject(client, object);
    console.log(`applied: ${describe(object)}`);
  }
  const services = objects.filter((object) => object.apiVersion === 'serving.knative.dev/v1');
  const deadline = Date.now() + timeoutSeconds * 1000;
  console.log(
    `Waiting up to ${timeoutSeconds} s (--timeout) for ${services.map((service) => service.metadata.name).join(' and ')} to be Ready:`,
  );
  const urls = await waitUntilReady(client, services, {
    timeoutMs: timeoutSeconds * 1000,
    progress: (line) => console.log(line),
  });
  if (activatorRestarted) {
    // Until the old activator is gone, a visit may still pass through it, and its spans stay out of the trace.
    console.log("Waiting, within the same --timeout, for Knative's activator to finish its restart:");
    await waitForActivatorRollout(client, {
      timeoutMs: Math.max(0, deadline - Date.now()),
      progress: (line) => console.log(line),
    });
  }
  console.log(
    ['', 'Ready:', ...services.map((service, index) => `${service.metadata.name.padEnd(10)} ${urls[index]}`)].join(
      '\n',
    ),
  );
  console.log('\nVisit: curl <the frontend URL above>');
  console.log('Traces: npm run trace, npm run diagnose (each reaches Jaeger through a port-forward of its own)');
  console.log('Jaeger: kubectl port-forward -n observability service/jaeger-query 16686:16686');
  console.log('        then open http://localhost:16686');
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exitCode = 2;
  } else {
    const known = error instanceof DeployError || error instanceof ManifestError || error instanceof PlanError;
    console.error(known || error instanceof TypeError ? (error as Error).message : error);
    process.exitCode = 1;
  }
}
