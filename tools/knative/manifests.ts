// The manifests in jaeger/ and knative/: read, validated against the Kubernetes and Knative schemas
// (kubernetes-models, @kubernetes-models/knative), and ordered for applying.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
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

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
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

/** Every manifest of the project, validated, Namespaces first, then in folder order. */
export async function loadProjectManifests(root = REPOSITORY_ROOT): Promise<Manifest[]> {
  const all = (await Promise.all(MANIFEST_FOLDERS.map((folder) => readManifests(join(root, folder))))).flat();
  for (const manifest of all) validateManifest(manifest);
  const rank = (manifest: Manifest) => (manifest.object.kind === 'Namespace' ? 0 : 1);
  return all.sort((a, b) => rank(a) - rank(b));
}
