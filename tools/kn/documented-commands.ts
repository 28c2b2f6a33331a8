// The `kn service create` commands of docs/deploy.md, run exactly as written by a shell with the real kn:
// in its offline mode (`--target FILE`), where kn writes the Service it would create and contacts no
// cluster, or against a cluster (the one on this machine, in the tests).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY_ROOT } from '../functions/run.ts';
import { describe, type KubernetesObject } from '../knative/manifests.ts';
import { spawnChild } from '../processes/process.ts';
import { requireKn } from './binary.ts';

/** The document whose kn commands these are, relative to the repository. */
export const KN_COMMANDS_DOCUMENT = 'docs/deploy.md';

/** What `$REGISTRY` stands for unless the caller says otherwise: the document's own example. */
export const EXAMPLE_REGISTRY = 'registry.example/you';

export class DocumentedCommandError extends Error {
  override name = 'DocumentedCommandError';
}

export class KnCommandError extends Error {
  override name = 'KnCommandError';
}

export interface KnCommand {
  /** The Service's name, the first word after `kn service create`. */
  name: string;
  /** The command as the document writes it, line continuations included. */
  text: string;
}

const FENCED_BLOCK = /^```[^\n]*\n([\s\S]*?)^```/gm;
const CREATE = /^kn service create ([a-z0-9-]+)(?:\s|$)/;
/** Anything that would make a line more than one simple command: a documented block must stay plain. */
const SHELL_CONTROL = /[;&|<>`#]|\$\(/;

/** The text of docs/deploy.md, where the kn commands are. */
export function readKnCommandsDocument(): Promise<string> {
  return readFile(join(REPOSITORY_ROOT, KN_COMMANDS_DOCUMENT), 'utf8');
}

/**
 * The commands of a document's one fenced block that runs `kn service create`. Every command in that
 * block must be a `kn service create` (lines joined at a trailing backslash, as a shell joins them).
 */
export function documentedKnCommands(text: string): KnCommand[] {
  const blocks = [...text.matchAll(FENCED_BLOCK)]
    .map(([, body = '']) => body)
    .filter((body) => /^kn service create /m.test(body));
  if (blocks.length !== 1) {
    throw new DocumentedCommandError(
      `${KN_COMMANDS_DOCUMENT} should have exactly one fenced block of \`kn service create\` commands; it has ${blocks.length}.`,
    );
  }
  const commands: KnCommand[] = [];
  for (const line of (blocks[0] ?? '').split(/(?<!\\)\n/)) {
    if (line.trim() === '') continue;
    const name = CREATE.exec(line)?.[1];
    if (!name) {
      throw new DocumentedCommandError(
        `${KN_COMMANDS_DOCUMENT}: its kn block has a line that is not a kn service create: ${line}`,
      );
    }
    if (SHELL_CONTROL.test(line)) {
      throw new DocumentedCommandError(
        `${KN_COMMANDS_DOCUMENT}: the kn command for ${name} is not one plain command: ${line}`,
      );
    }
    commands.push({ name, text: line });
  }
  return commands;
}

/** The variables kn runs with: a HOME and config folder of its own, and `$REGISTRY`. */
function knEnvironment(kn: string, directory: string, registry: string, kubeconfig: string) {
  return {
    PATH: '/usr/bin:/bin',
    HOME: directory,
    XDG_CONFIG_HOME: join(directory, 'config'),
    KUBECONFIG: kubeconfig,
    REGISTRY: registry,
    KN_BINARY: kn,
  };
}

/** Runs `script` (which defines `kn`, then runs the command as written) in a shell; fails on a non-zero exit. */
async function runInShell(command: KnCommand, script: string, directory: string, env: NodeJS.ProcessEnv) {
  const shell = spawnChild(`kn service create ${command.name}`, '/bin/sh', ['-c', script], { cwd: directory, env });
  const { code } = await shell.exited;
  const output = shell.output();
  if (code !== 0) {
    throw new KnCommandError(`kn service create ${command.name} failed (exit ${code}):\n${output}`);
  }
  return output;
}

/**
 * Runs one command with `kn` standing for the given binary, told to write into `target` instead of
 * creating anything. kn gets a HOME, config folder and kubeconfig of its own in `directory`, never the
 * user's, and only the variables set here (so `$REGISTRY` is the given registry).
 */
export async function runKnCommand(
  kn: string,
  command: KnCommand,
  options: { registry: string; directory: string },
): Promise<KubernetesObject> {
  const { registry, directory } = options;
  const target = join(directory, `${command.name}.yaml`);
  const kubeconfig = join(directory, 'kubeconfig');
  await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  const env = { ...knEnvironment(kn, directory, registry, kubeconfig), KN_TARGET: target };
  // `kn` is a shell function, so that the command runs as written and only gains --target.
  const script = `kn() { "$KN_BINARY" "$@" --target "$KN_TARGET"; }\n${command.text}\n`;
  const output = await runInShell(command, script, directory, env);
  let object: KubernetesObject;
  try {
    object = parse(await readFile(target, 'utf8')) as KubernetesObject;
  } catch (error) {
    throw new KnCommandError(
      `kn service create ${command.name} wrote no readable ${target}: ${error instanceof Error ? error.message : error}\n${output}`,
    );
  }
  if (object?.apiVersion !== 'serving.knative.dev/v1' || object.kind !== 'Service') {
    throw new KnCommandError(`kn service create ${command.name} wrote something other than a Knative Service`);
  }
  if (object.metadata.name !== command.name) {
    throw new KnCommandError(`kn service create ${command.name} wrote ${describe(object)}`);
  }
  return object;
}

/**
 * Runs one command as written against the cluster of `kubeconfig`: kn creates the Service and waits
 * until it is Ready (its default). Answers what kn printed.
 */
export async function runKnCommandOnCluster(
  kn: string,
  command: KnCommand,
  options: { registry: string; directory: string; kubeconfig: string },
): Promise<string> {
  const env = knEnvironment(kn, options.directory, options.registry, options.kubeconfig);
  const script = `kn() { "$KN_BINARY" "$@"; }\n${command.text}\n`;
  return runInShell(command, script, options.directory, env);
}

/**
 * The Services the documented `kn service create` commands would create, in the document's order, as
 * kn v0.50.0 writes them. Throws a KnUnavailableError when kn is not built (run `npm run setup`).
 */
export async function servicesFromDocumentedCommands(
  env: NodeJS.ProcessEnv,
  options: { text?: string; registry?: string } = {},
): Promise<KubernetesObject[]> {
  const kn = await requireKn(env);
  const commands = documentedKnCommands(options.text ?? (await readKnCommandsDocument()));
  const directory = await mkdtemp(join(tmpdir(), 'documented-kn-'));
  try {
    const services: KubernetesObject[] = [];
    for (const command of commands) {
      services.push(await runKnCommand(kn, command, { registry: options.registry ?? EXAMPLE_REGISTRY, directory }));
    }
    return services;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
