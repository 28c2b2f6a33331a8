// The README's `kn service create` commands cannot be run here (kn cannot be built from the Go module
// proxy), so this checks what they say against knative/: the two deploy paths must give the same
// Services on everything that matters.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../tools/functions.ts';
import { type KubernetesObject, loadProjectManifests } from '../tools/manifests.ts';

interface KnCommand {
  name: string;
  flags: Map<string, string[]>;
}

/** The `kn service create` commands of the README, flags gathered by name. */
function knCommands(readme: string): KnCommand[] {
  const joined = readme.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/^kn service create (\S+)(.*)$/gm)].map(([, name = '', rest = '']) => {
    const flags = new Map<string, string[]>();
    const words = rest.trim().split(/\s+/);
    for (let index = 0; index < words.length; index += 1) {
      const word = words[index] ?? '';
      if (!word.startsWith('--')) throw new Error(`Unexpected word in kn command: ${word}`);
      const next = words[index + 1];
      const value = next === undefined || next.startsWith('--') ? '' : next;
      if (value !== '') index += 1;
      flags.set(word, [...(flags.get(word) ?? []), value]);
    }
    return { name, flags };
  });
}

const readme = await readFile(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
const services = (await loadProjectManifests())
  .map((manifest) => manifest.object)
  .filter((object) => object.apiVersion === 'serving.knative.dev/v1');

interface Template {
  metadata?: { annotations?: Record<string, string> };
  spec: {
    timeoutSeconds?: number;
    containerConcurrency?: number;
    containers: {
      image: string;
      env: { name: string; value: string }[];
      resources: { requests: Record<string, string>; limits: Record<string, string> };
    }[];
  };
}

const pairs = (values: Record<string, string>) =>
  Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

test('the README creates exactly the Knative Services of knative/', (t) => {
  t.deepEqual(
    knCommands(readme).map((command) => command.name),
    services.map((service) => service.metadata.name),
  );
});

for (const service of services as KubernetesObject[]) {
  test(`kn service create ${service.metadata.name} agrees with knative/${service.metadata.name}.yaml`, (t) => {
    const command = knCommands(readme).find((candidate) => candidate.name === service.metadata.name);
    if (!command) throw new Error(`The README has no kn service create ${service.metadata.name}`);
    const flag = (name: string) => command.flags.get(name);
    const template = (service.spec as { template: Template }).template;
    const [container] = template.spec.containers;
    const annotations = template.metadata?.annotations ?? {};

    t.deepEqual(flag('--namespace'), [service.metadata.namespace]);
    const image = container?.image.replace(/^knative-tracing-counter\//, '$REGISTRY/');
    t.deepEqual(flag('--image'), [image]);
    t.deepEqual(
      (flag('--env') ?? []).sort(),
      (container?.env ?? []).map(({ name, value }) => `${name}=${value}`).sort(),
    );
    const minScale = annotations['autoscaling.knative.dev/min-scale'];
    const maxScale = annotations['autoscaling.knative.dev/max-scale'];
    t.deepEqual(flag('--scale-min'), minScale === undefined ? undefined : [minScale]);
    t.deepEqual(flag('--scale-max'), maxScale === undefined ? undefined : [maxScale]);
    const clusterLocal = service.metadata.labels?.['networking.knative.dev/visibility'] === 'cluster-local';
    t.is(flag('--cluster-local') !== undefined, clusterLocal, 'visibility');
    t.deepEqual(flag('--timeout'), [String(template.spec.timeoutSeconds)]);
    t.deepEqual(flag('--concurrency-limit'), [String(template.spec.containerConcurrency)]);
    t.deepEqual(flag('--request'), [pairs(container?.resources.requests ?? {})]);
    t.deepEqual(flag('--limit'), [pairs(container?.resources.limits ?? {})]);
    const known = [
      '--namespace',
      '--image',
      '--env',
      '--scale-min',
      '--scale-max',
      '--cluster-local',
      '--timeout',
      '--concurrency-limit',
      '--request',
      '--limit',
    ];
    t.deepEqual(
      [...command.flags.keys()].filter((name) => !known.includes(name)),
      [],
      'every flag is checked',
    );
  });
}
