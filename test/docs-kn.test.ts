// The `kn service create` commands of docs/deploy.md, run as written by the real kn v0.50.0 in its
// offline mode (`--target FILE`, no cluster), must give the Services of knative/ field by field; the only
// differences allowed are the fields the document lists next to the commands, and each of those must
// still differ.
// kn is built by `npm run setup`; without it these tests fail, saying so.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { KnUnavailableError } from '../tools/kn/binary.ts';
import {
  DocumentedCommandError,
  documentedKnCommands,
  EXAMPLE_REGISTRY,
  KN_COMMANDS_DOCUMENT,
  KnCommandError,
  readKnCommandsDocument,
  servicesFromDocumentedCommands,
} from '../tools/kn/documented-commands.ts';
import { type Difference, serviceDifferences } from '../tools/kn/service-differences.ts';
import { type KubernetesObject, loadProjectManifests } from '../tools/knative/manifests.ts';

const documented = await readKnCommandsDocument();
const declared = (await loadProjectManifests())
  .map((manifest) => manifest.object)
  .filter((object) => object.apiVersion === 'serving.knative.dev/v1' && object.kind === 'Service');

// Started once, awaited by each test: when kn is missing, every test below fails with its message.
const generated = servicesFromDocumentedCommands(process.env);
generated.catch(() => {});

/** The field paths in the list items of the document's section "## 2." (what kn cannot express or adds). */
function listedDifferences(text: string): string[] {
  const section = /^## 2\. .*\n([\s\S]*?)^## /m.exec(text)?.[1] ?? '';
  const items = section.split(/\n(?=- )/).filter((item) => item.startsWith('- '));
  return items.flatMap((item) =>
    [...item.replace(/\n\s+/g, ' ').matchAll(/`([^`]+)`/g)]
      .map(([, code = '']) => code)
      .filter((code) => /^(metadata|spec)[.[]/.test(code)),
  );
}

/** knative/'s Service as the documented commands should give it: its images pushed to $REGISTRY. */
function withExampleRegistry(service: KubernetesObject): KubernetesObject {
  const copy = structuredClone(service) as KubernetesObject & {
    spec: { template: { spec: { containers: { image: string }[] } } };
  };
  for (const container of copy.spec.template.spec.containers) {
    container.image = container.image.replace(/^knative-tracing-counter\//, `${EXAMPLE_REGISTRY}/`);
  }
  return copy;
}

const show = ({ path, expected, actual }: Difference) =>
  `${path}: knative/ has ${JSON.stringify(expected) ?? 'nothing'}, kn gives ${JSON.stringify(actual) ?? 'nothing'}`;

test(`${KN_COMMANDS_DOCUMENT} creates exactly the Knative Services of knative/, in its order`, (t) => {
  t.deepEqual(
    documentedKnCommands(documented).map((command) => command.name),
    declared.map((service) => service.metadata.name),
  );
});

test(`${KN_COMMANDS_DOCUMENT} lists the fields kn cannot express, by path, next to the commands`, (t) => {
  const listed = listedDifferences(documented);
  t.true(listed.length > 0, `no list of field paths found in the section "## 2." of ${KN_COMMANDS_DOCUMENT}`);
  t.deepEqual(listed, [...new Set(listed)], 'a path is listed twice');
});

for (const service of declared) {
  const { name } = service.metadata;
  test(`kn service create ${name}, as ${KN_COMMANDS_DOCUMENT} writes it, gives knative/${name}.yaml but for the listed fields`, async (t) => {
    const fromKn = (await generated).find((candidate) => candidate.metadata.name === name);
    if (!fromKn) return t.fail(`kn wrote no Service ${name}`);
    const differences = serviceDifferences(withExampleRegistry(service), fromKn);
    const listed = listedDifferences(documented);
    const found = new Set(differences.map((difference) => difference.path));
    t.deepEqual(
      differences.filter((difference) => !listed.includes(difference.path)).map(show),
      [],
      `kn's ${name} differs from knative/${name}.yaml in fields ${KN_COMMANDS_DOCUMENT} does not list`,
    );
    t.deepEqual(
      listed.filter((path) => !found.has(path)),
      [],
      `${KN_COMMANDS_DOCUMENT} lists fields as differences, but kn's ${name} agrees with knative/${name}.yaml on them`,
    );
  });
}

test('without a built kn, running the commands fails and says how to build it', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'documented-kn-test-'));
  t.teardown(() => rm(empty, { recursive: true, force: true }));
  const error = await t.throwsAsync(servicesFromDocumentedCommands({ XDG_CACHE_HOME: empty, HOME: empty }), {
    instanceOf: KnUnavailableError,
  });
  t.regex(error?.message ?? '', /kn v0\.50\.0 is not built/);
  t.regex(error?.message ?? '', /npm run setup/);
});

test('a command kn refuses fails with what kn said', async (t) => {
  await generated; // Needs kn: fails first with the message above when it is missing.
  const broken = '```sh\nkn service create backend --image $REGISTRY/backend:0.1.0 --probe-readiness grpc::8080\n```\n';
  const error = await t.throwsAsync(servicesFromDocumentedCommands(process.env, { text: broken }), {
    instanceOf: KnCommandError,
  });
  t.regex(error?.message ?? '', /kn service create backend failed/);
  t.regex(error?.message ?? '', /unsupported probe type 'grpc'/);
});

const notRunnable = [
  ['no kn block', '```sh\nkubectl apply -f knative/\n```\n', /exactly one fenced block.*it has 0/],
  [
    'two kn blocks',
    '```sh\nkn service create a --image i\n```\n```sh\nkn service create b --image i\n```\n',
    /it has 2/,
  ],
  [
    'another command in the block',
    '```sh\nkn service create a --image i\nkubectl get ksvc\n```\n',
    /not a kn service create: kubectl/,
  ],
  [
    'two commands on one line',
    '```sh\nkn service create a --image i && kn service delete a\n```\n',
    /command for a is not one plain command/,
  ],
] as const;

for (const [title, text, message] of notRunnable) {
  test(`a kn block is refused when it has ${title}`, (t) => {
    t.throws(() => documentedKnCommands(text), { instanceOf: DocumentedCommandError, message });
  });
}

test('a command continued over lines is one command, kept as written', (t) => {
  const text = '```sh\nkn service create a \\\n  --image i\nkn service create b --image j\n```\n';
  t.deepEqual(documentedKnCommands(text), [
    { name: 'a', text: 'kn service create a \\\n  --image i' },
    { name: 'b', text: 'kn service create b --image j' },
  ]);
});

const base = (spec: Record<string, unknown>, containers: Record<string, unknown>[] = [{ image: 'i' }]) =>
  ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { template: { spec: { ...spec, containers } } },
  }) as KubernetesObject;

const comparisons: [string, KubernetesObject, KubernetesObject, string[]][] = [
  ['identical Services', base({ timeoutSeconds: 30 }), base({ timeoutSeconds: 30 }), []],
  [
    'a different value',
    base({ timeoutSeconds: 30 }),
    base({ timeoutSeconds: 60 }),
    ['spec.template.spec.timeoutSeconds'],
  ],
  ['a field kn leaves out', base({ timeoutSeconds: 30 }), base({}), ['spec.template.spec.timeoutSeconds']],
  ['a field only kn sets', base({}), base({ containerConcurrency: 5 }), ['spec.template.spec.containerConcurrency']],
  ["a field kn leaves out that holds Knative's default", base({ timeoutSeconds: 300 }), base({}), []],
  ['empty values, which Kubernetes reads as unset', base({}), { ...base({ timeoutSeconds: null }), status: {} }, []],
  [
    'environment variables in another order',
    base({}, [
      {
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
    ]),
    base({}, [
      {
        env: [
          { name: 'B', value: '2' },
          { name: 'A', value: '1' },
        ],
      },
    ]),
    [],
  ],
  [
    'an environment variable with another value',
    base({}, [{ env: [{ name: 'A', value: '1' }] }]),
    base({}, [{ env: [{ name: 'A', value: '2' }] }]),
    ['spec.template.spec.containers[0].env.A.value'],
  ],
  [
    'an annotation key with dots and slashes',
    { ...base({}), metadata: { name: 's', annotations: { 'a.b/c': 'x' } } },
    base({}),
    ['metadata.annotations["a.b/c"]'],
  ],
];

for (const [title, expected, actual, paths] of comparisons) {
  test(`the field-by-field comparison: ${title}`, (t) => {
    t.deepEqual(
      serviceDifferences(expected, actual).map((difference) => difference.path),
      paths,
    );
  });
}
