// The manifests in jaeger/ and knative/ (and in redis/, for the counter's Redis mode): read, validated
// against the Kubernetes and Knative schemas (kubernetes-models, @kubernetes-models/knative), and
// ordered for applying.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { REPOSITORY_ROOT } from '../functions/run.ts';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface Manifest {
  /** Relative to the repository. */
  file: string;
  object: KubernetesObject;
}

/** Applied in this order: Jaeger first, so that the functions' first spans have somewhere to go. */
export const MANIFEST_FOLDERS = ['jaeger', 'knative'] as const;

/**
 * Where the counter lives in the cluster: in the backend's memory (the default: knative/backend.yaml,
 * one replica), or in Redis (redis/: Redis itself and the backend's Service for it, which takes the
 * place of knative/backend.yaml's, applied after Jaeger and before the rest).
 */
export type CounterStoreMode = 'memory' | 'redis';
export const COUNTER_STORE_MODES: readonly CounterStoreMode[] = ['memory', 'redis'];
export const REDIS_FOLDER = 'redis';

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'serving.knative.dev/v1/Service': KnativeService,
};

export function describe(object: KubernetesObject): string {
  const where = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${where}${object.metadata.name} (${object.apiVersion})`;
}

/** Throws a ManifestError naming the file and the object when the schema refuses it. */
export function validateManifest({ file, object }: Manifest): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new ManifestError(`${file}: no schema known for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object as never).validate();
  } catch (error) {
    throw new ManifestError(
      `${file}: ${describe(object)} is invalid: ${error instanceof Error ? error.message : error}`,
    );
  }
}

export async function readManifests(folder: string): Promise<Manifest[]> {
  const names = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const manifests: Manifest[] = [];
  for (const name of names) {
    const path = join(folder, name);
    const file = relative(REPOSITORY_ROOT, path);
    for (const document of parseAllDocuments(await readFile(path, 'utf8'))) {
      if (document.errors.length > 0) throw new ManifestError(`${file}: ${document.errors[0]?.message}`);
      const object = document.toJS() as KubernetesObject | null;
      if (object === null) continue;
      if (!object?.apiVersion || !object.kind || !object.metadata?.name) {
        throw new ManifestError(`${file}: every document needs apiVersion, kind and metadata.name`);
      }
      manifests.push({ file, object });
    }
  }
  return manifests;
}

const sameObject = (a: KubernetesObject, b: KubernetesObject) =>
  a.apiVersion === b.apiVersion &&
  a.kind === b.kind &&
  a.metadata.name === b.metadata.name &&
  a.metadata.namespace === b.metadata.namespace;

/**
 * Every manifest of the project for the counter store `counterStore`, validated, Namespaces first, Knative
 * Services last, the rest in folder order. In Redis mode, redis/'s objects come after jaeger/'s, and
 * replace knative/'s of the same name.
 */
export async function loadProjectManifests(
  root = REPOSITORY_ROOT,
  { counterStore = 'memory' }: { counterStore?: CounterStoreMode } = {},
): Promise<Manifest[]> {
  const folders: readonly string[] =
    counterStore === 'redis' ? [MANIFEST_FOLDERS[0], REDIS_FOLDER, ...MANIFEST_FOLDERS.slice(1)] : MANIFEST_FOLDERS;
  const read = (await Promise.all(folders.map((folder) => readManifests(join(root, folder))))).flat();
  const variants = read.filter((manifest) => manifest.file.startsWith(`${REDIS_FOLDER}/`));
  const all = read.filter(
    (manifest) =>
      manifest.file.startsWith(`${REDIS_FOLDER}/`) ||
      !variants.some((variant) => sameObject(variant.object, manifest.object)),
  );
  for (const manifest of all) validateManifest(manifest);
  // Knative Services last: their pods start with Knative's tracing keys (config-observability) already
  // set, since the activator and queue-proxies read them when they start, and with Jaeger and Redis there.
  const rank = ({ object }: Manifest) =>
    object.kind === 'Namespace' ? 0 : object.apiVersion.startsWith('serving.knative.dev/') ? 2 : 1;
  return all.sort((a, b) => rank(a) - rank(b));
}
