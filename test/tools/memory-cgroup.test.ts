// The memory cgroups of the benchmark and the dead collector's memory row
// (tools/processes/memory-cgroup.ts): a process started in one sees its limit as Node sees a
// container's, the cgroup reports its peak and OOM kills, and it is removed.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import test from 'ava';
import { inCgroup } from '../../tools/functions/run.ts';
import { createMemoryCgroup } from '../../tools/processes/memory-cgroup.ts';
import { spawnChild } from '../../tools/processes/process.ts';

const LIMIT = 96 * 2 ** 20;

test('a process started in a memory cgroup sees its limit, the cgroup its peak; both go at the end', async (t) => {
  const cgroup = await createMemoryCgroup(`test-${process.pid}-limit`, LIMIT);
  t.teardown(() => cgroup.remove());
  const [command = '', ...args] = inCgroup(cgroup.procsFile, [
    process.execPath,
    '-e',
    "const kept = Buffer.alloc(32 * 2 ** 20, 1); console.log('constrained', process.constrainedMemory(), kept.length)",
  ]);
  const child = spawnChild('limited node', command, args);
  t.teardown(() => child.stop('SIGKILL'));
  t.is((await child.exited).code, 0, child.output());
  t.regex(child.output(), new RegExp(`constrained ${LIMIT} `));
  const memory = await cgroup.read();
  t.is(memory.limitBytes, LIMIT);
  t.true(memory.peakBytes >= 32 * 2 ** 20, `peak ${memory.peakBytes} holds the 32 MiB the process filled`);
  t.is(memory.oomKills, 0);
  await cgroup.remove();
  t.false(existsSync(dirname(cgroup.procsFile)));
});

test('a process that outgrows its cgroup is killed, and the cgroup counts the OOM kill', async (t) => {
  const cgroup = await createMemoryCgroup(`test-${process.pid}-oom`, LIMIT);
  t.teardown(() => cgroup.remove());
  const [command = '', ...args] = inCgroup(cgroup.procsFile, [
    process.execPath,
    '-e',
    'const kept = []; for (;;) kept.push(Buffer.alloc(8 * 2 ** 20, 1));',
  ]);
  const child = spawnChild('greedy node', command, args);
  t.teardown(() => child.stop('SIGKILL'));
  t.is((await child.exited).signal, 'SIGKILL');
  t.is((await cgroup.read()).oomKills, 1);
});
