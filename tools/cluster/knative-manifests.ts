// Knative Serving's own install manifests, read from the Go module zips the controller and webhook
// are built from: serving's config/core/ (CRDs, namespace, RBAC, ServiceAccount, config ConfigMaps,
// webhook configurations), plus what serving's repository links in from knative.dev/networking (the
// networking.internal CRDs, config-network) and knative.dev/caching (the Image CRD), since module zips
// drop symlinks. The Deployments name ko:// images: on a cluster with a node they run with our
// images (knative-on-node.ts); without one, the controller and webhook run as processes (the
// `webhook` Service leads to the process through Endpoints we add).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '../knative/manifests.ts';
import { mustRun } from '../processes/run-command.ts';
import { processEndpoints } from './endpoints.ts';

export const KNATIVE_NAMESPACE = 'knative-serving';
const DEPLOYMENTS = ['controller', 'webhook', 'activator', 'autoscaler'] as const;
export type KnativeDeployment = (typeof DEPLOYMENTS)[number];
const MODULES = ['knative.dev/serving', 'knative.dev/networking', 'knative.dev/caching'] as const;
/** What serving's config/core/ links in from the other two modules. */
const LINKED = {
  'knative.dev/networking': [
    'certificate.yaml',
    'domain-claim.yaml',
    'ingress.yaml',
    'serverlessservice.yaml',
    'config-network.yaml',
  ],
  'knative.dev/caching': ['image.yaml'],
};

export class KnativeManifestError extends Error {
  override name = 'KnativeManifestError';
}

export interface KnativeInstall {
  crds: KubernetesObject[];
  /** Kubernetes' own kinds (namespace, RBAC, ConfigMaps, Services...), but the webhook configurations. */
  resources: KubernetesObject[];
  /** Objects of the CRDs' kinds (a Certificate, an Image): once the CRDs are established. */
  customResources: KubernetesObject[];
  webhookConfigurations: KubernetesObject[];
  /** Knative's Deployments: run on the node, or read for their environment when run as processes. */
  deployments: Record<KnativeDeployment, KubernetesObject>;
}

/** Where the Go module cache holds each module, as the wrapper module `moduleDirectory` pins it. */
async function moduleFolders(moduleDirectory: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const goEnv = { ...env, GOTOOLCHAIN: 'local' };
  const list = async () => {
    const output = await mustRun('go', ['list', '-m', '-json', ...MODULES], { cwd: moduleDirectory, env: goEnv });
    // `go list -json` prints one object after another.
    const objects = JSON.parse(`[${output.replace(/}\s*{/g, '},{')}]`) as { Path: string; Dir?: string }[];
    return Object.fromEntries(objects.map(({ Path, Dir }) => [Path, Dir ?? '']));
  };
  try {
    let folders = await list();
    const missing = MODULES.filter((module) => !folders[module]);
    if (missing.length > 0) {
      await mustRun('go', ['mod', 'download', ...missing], { cwd: moduleDirectory, env: goEnv });
      folders = await list();
    }
    return folders;
  } catch (error) {
    throw new KnativeManifestError(
      `Could not find Knative Serving's install in the Go module cache (go list -m in ${moduleDirectory}; ` +
        `Go must be on PATH): ${(error as Error).message}`,
    );
  }
}

async function yamlFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The objects of a YAML file of one or more documents. */
export async function objectsOf(file: string): Promise<KubernetesObject[]> {
  const documents = parseAllDocuments(await readFile(file, 'utf8'));
  return documents
    .map((document) => document.toJSON() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null && typeof object === 'object' && 'kind' in object);
}

/**
 * Reads and sorts Knative's install. With `webhookProcess`, the webhook runs as a process reached at
 * its address and port (its Service loses its selector and gains Endpoints); without, it runs in its
 * Deployment's pod, as released.
 */
export async function loadKnativeInstall(
  moduleDirectory: string,
  env: NodeJS.ProcessEnv,
  { webhookProcess }: { webhookProcess?: { address: string; port: number } | undefined } = {},
): Promise<KnativeInstall> {
  const folders = await moduleFolders(moduleDirectory, env);
  const core = join(folders['knative.dev/serving'] ?? '', 'config', 'core');
  const files = await yamlFiles(core);
  for (const [module, names] of Object.entries(LINKED)) {
    files.push(...names.map((name) => join(folders[module] ?? '', 'config', name)));
  }
  const install: KnativeInstall = {
    crds: [],
    resources: [],
    customResources: [],
    webhookConfigurations: [],
    deployments: {} as never,
  };
  for (const file of files) {
    const fromDeployments = relative(core, file).startsWith('deployments/');
    for (const object of await objectsOf(file)) {
      if (object.kind === 'Deployment' && fromDeployments) {
        const name = object.metadata.name as KnativeDeployment;
        if (DEPLOYMENTS.includes(name)) install.deployments[name] = object;
      } else if (fromDeployments && object.kind !== 'Service') {
        // HorizontalPodAutoscalers and PodDisruptionBudgets of the Deployments not made.
      } else if (object.kind === 'CustomResourceDefinition') {
        install.crds.push(object);
      } else if (/^(Validating|Mutating)WebhookConfiguration$/.test(object.kind)) {
        install.webhookConfigurations.push(object);
      } else {
        if (webhookProcess && object.kind === 'Service' && object.metadata.name === 'webhook') {
          delete (object.spec as { selector?: unknown }).selector;
        }
        install.resources.push(object);
      }
    }
  }
  const missing = DEPLOYMENTS.filter((name) => !install.deployments[name]);
  if (missing.length > 0 || install.crds.length === 0) {
    throw new KnativeManifestError(
      `${core} lacks ${missing.length > 0 ? `the Deployments ${missing.join(', ')}` : 'the CRDs'}: is knative.dev/serving's module zip complete?`,
    );
  }
  if (webhookProcess) {
    install.resources.push(
      ...processEndpoints({
        service: 'webhook',
        namespace: KNATIVE_NAMESPACE,
        address: webhookProcess.address,
        port: webhookProcess.port,
        portName: 'https-webhook',
      }),
    );
  }
  const groups = new Set(install.crds.map((crd) => (crd.spec as { group: string }).group));
  const isCustom = (object: KubernetesObject) => groups.has(object.apiVersion.split('/')[0] ?? '');
  install.customResources = install.resources.filter(isCustom);
  install.resources = install.resources.filter((object) => !isCustom(object));
  return install;
}

/** The environment a Deployment gives its first container: plain values, and the pod's name and namespace. */
export function environmentOf(deployment: KubernetesObject, podName: string): Record<string, string> {
  const spec = deployment.spec as {
    template: {
      spec: {
        containers: { env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] }[];
      };
    };
  };
  const fields: Record<string, string> = { 'metadata.name': podName, 'metadata.namespace': KNATIVE_NAMESPACE };
  const variables: Record<string, string> = {};
  for (const variable of spec.template.spec.containers[0]?.env ?? []) {
    const value = variable.value ?? fields[variable.valueFrom?.fieldRef?.fieldPath ?? ''];
    if (value === undefined) {
      throw new KnativeManifestError(
        `${deployment.metadata.name}'s variable ${variable.name} has a source we cannot give it.`,
      );
    }
    variables[variable.name] = value;
  }
  return variables;
}
