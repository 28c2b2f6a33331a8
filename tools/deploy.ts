// `npm run deploy`: Jaeger (jaeger/) then the two Knative Services and Knative's tracing settings
// (knative/), by server-side apply; waits until each Knative Service is Ready, then says where
// everything is.
//   npm run deploy -- --dry-run         prints what it would apply; needs no cluster
//   npm run deploy -- --delete          removes what it applied
//   npm run deploy -- --registry R      uses images pushed to R (e.g. registry.example/alice) instead of knative-tracing-counter/
import { parseArgs } from 'node:util';
import {
  applyObject,
  checkCluster,
  DeployError,
  loadKubeConfig,
  objectClient,
  removeObject,
  serverOf,
  waitUntilReady,
} from './deploy/cluster.ts';
import { PlanError, planDeploy, renderPlan } from './deploy/plan.ts';
import { describe, loadProjectManifests, ManifestError } from './manifests.ts';

const usage = 'usage: npm run deploy -- [--dry-run | --delete] [--registry REGISTRY] [--timeout SECONDS]';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'dry-run': { type: 'boolean', default: false },
      delete: { type: 'boolean', default: false },
      registry: { type: 'string' },
      timeout: { type: 'string', default: '300' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) {
    console.error(`--timeout is "${values.timeout}": expected a whole number of seconds\n${usage}`);
    return 2;
  }
  const objects = planDeploy(await loadProjectManifests(), { registry: values.registry });
  if (values['dry-run']) {
    process.stdout.write(renderPlan(objects));
    return 0;
  }

  const config = loadKubeConfig(process.env);
  console.log(`Cluster: ${serverOf(config)} (context ${config.getCurrentContext()})`);
  await checkCluster(config);
  const client = objectClient(config);

  if (values.delete) {
    for (const object of [...objects].reverse()) {
      console.log(`${await removeObject(client, object)}: ${describe(object)}`);
    }
    return 0;
  }

  for (const object of objects) {
    await applyObject(client, object);
    console.log(`applied: ${describe(object)}`);
  }
  const services = objects.filter((object) => object.apiVersion === 'serving.knative.dev/v1');
  const urls: string[] = [];
  for (const service of services) {
    console.log(`Waiting for ${describe(service)} to be Ready…`);
    const url = await waitUntilReady(client, service, {
      timeoutMs: timeoutSeconds * 1000,
      progress: (line) => console.log(line),
    });
    urls.push(`${service.metadata.name.padEnd(10)} ${url}`);
  }
  console.log(['', 'Ready:', ...urls].join('\n'));
  console.log('\nVisit: curl <the frontend URL above>');
  console.log('Jaeger: kubectl port-forward -n observability service/jaeger-query 16686:16686');
  console.log('        then open http://localhost:16686, or npm run trace');
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const known = error instanceof DeployError || error instanceof ManifestError || error instanceof PlanError;
  console.error(known || error instanceof TypeError ? (error as Error).message : error);
  process.exitCode = 1;
}
