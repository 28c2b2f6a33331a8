// `kubectl apply -f FOLDER/` applies the files in name order (kubectl walks the folder sorted by
// file name, byte by byte), one object at a time: an object in a namespace that a later file creates
// fails on a fresh cluster ("namespaces ... not found"). So each manifest folder's names must sort
// into a working order. test/cluster/deploy.test.ts runs `kubectl apply -f jaeger/` for real.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../tools/functions/run.ts';
import { MANIFEST_FOLDERS, REDIS_FOLDER, readManifests } from '../tools/knative/manifests.ts';

/** Namespaces a fresh cluster has: Kubernetes' own, and Knative Serving's where it is installed. */
const EXISTING_NAMESPACES = new Set(['default', 'knative-serving']);

/** kubectl's order: file names compared as bytes, not by locale. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function kubectlOrder(folder: string) {
  const names = (await readdir(join(REPOSITORY_ROOT, folder))).filter((name) => /\.(ya?ml|json)$/.test(name));
  const byFile = await readManifests(join(REPOSITORY_ROOT, folder));
  return names.sort(byBytes).flatMap((name) => byFile.filter((manifest) => manifest.file === `${folder}/${name}`));
}

for (const folder of [...MANIFEST_FOLDERS, REDIS_FOLDER]) {
  test(`kubectl apply -f ${folder}/: every namespace exists before an object in it`, async (t) => {
    const created = new Set<string>();
    const order = await kubectlOrder(folder);
    t.true(order.length > 0);
    for (const { file, object } of order) {
      const namespace = object.metadata.namespace;
      if (namespace !== undefined) {
        t.true(
          EXISTING_NAMESPACES.has(namespace) || created.has(namespace),
          `${file}: ${object.kind} ${object.metadata.name} is in namespace ${namespace}, which no earlier file creates`,
        );
      }
      if (object.kind === 'Namespace') created.add(object.metadata.name);
    }
  });
}

test("jaeger/'s names sort with its Namespace first", async (t) => {
  const order = await kubectlOrder('jaeger');
  t.deepEqual(
    order.map(({ file, object }) => `${file} ${object.kind}`),
    [
      'jaeger/00-namespace.yaml Namespace',
      'jaeger/05-config.yaml ConfigMap',
      'jaeger/10-deployment.yaml Deployment',
      'jaeger/20-collector-service.yaml Service',
      'jaeger/30-query-service.yaml Service',
    ],
  );
  t.true(order.slice(1).every(({ object }) => object.metadata.namespace === order[0]?.object.metadata.name));
});
