// Taking a cluster down, whatever state it got to: its processes in reverse start order, then the
// host's end of the bridge, anything else left inside the namespace, the namespace itself, the
// record and etcd's data. If the owner exits without stopping the cluster (an uncaught error, process.exit), the
// processes are killed and the namespace is removed on the way out.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Child } from '../processes/process.ts';
import { deleteNamespace, killNamespaceProcesses } from './netns.ts';
import { type ClusterPaths, removeRecord } from './state.ts';

/** How long each process gets between SIGTERM and SIGKILL. */
const graceMs = (child: Child) =>
  // Knative's webhook first drains for 45 s, which matters only behind a load balancer.
  child.name === 'knative-webhook' ? 1000 : 5000;

export class Teardown {
  /** Every process started, in start order. */
  readonly processes: Child[] = [];
  readonly #paths: ClusterPaths;
  readonly #progress: (line: string) => void;
  readonly #closers: (() => Promise<void>)[] = [];
  readonly #cleanUps: (() => Promise<void>)[] = [];
  readonly #exitKills: (() => void)[] = [];
  readonly #removeState: boolean;
  #stopped: Promise<void> | undefined;
  readonly #onExit = () => {
    for (const child of this.processes) child.process.kill('SIGKILL');
    for (const kill of this.#exitKills) kill();
    spawnSync('ip', ['netns', 'delete', this.#paths.namespace], { stdio: 'ignore' });
    rmSync(this.#paths.record, { force: true });
  };

  /** `removeState`: remove the whole state folder too (certificates, kubeconfigs, logs), not only etcd's data. */
  constructor(paths: ClusterPaths, progress: (line: string) => void, { removeState }: { removeState: boolean }) {
    this.#paths = paths;
    this.#progress = progress;
    this.#removeState = removeState;
    process.on('exit', this.#onExit);
  }

  /** Something of this process's own to close after the processes stop (the bridge's host port). */
  onStop(close: () => Promise<void>): void {
    this.#closers.push(close);
  }

  /** Something to remove once no process is left in the namespace (the node's pods and cgroups). */
  onCleanUp(cleanUp: () => Promise<void>): void {
    this.#cleanUps.push(cleanUp);
  }

  /** Something to kill, synchronously, if this process exits without stop() (the node's pods). */
  onExitKill(kill: () => void): void {
    this.#exitKills.push(kill);
  }

  /** Stops everything; a second call waits for the first. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    for (const child of [...this.processes].reverse()) {
      const started = Date.now();
      const { code, signal } = await child.stop('SIGTERM', graceMs(child));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      this.#progress(`  stopped ${child.name} (${signal ?? `status ${code}`}, ${seconds} s)`);
    }
    for (const close of this.#closers) await close();
    await killNamespaceProcesses(this.#paths.namespace, 5000);
    for (const cleanUp of this.#cleanUps) await cleanUp();
    await deleteNamespace(this.#paths.namespace);
    await removeRecord(this.#paths);
    // etcd's data is made anew on every start, and its write-ahead log alone takes 64 MB.
    await rm(this.#removeState ? this.#paths.dir : this.#paths.etcdData, { recursive: true, force: true });
    process.off('exit', this.#onExit);
  }
}
