// Free ports handed to processes that start at the same time: never the same one twice.
import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { spawnChild } from '../../tools/processes/process.ts';

// Each process asks for ports and binds none of them: the kernel alone would soon repeat one
// (about six repeats are expected among 400 of its picks).
const ASK = `
  import { findFreePort } from './tools/processes/ports.ts';
  const ports = [];
  for (let index = 0; index < 100; index += 1) ports.push(await findFreePort());
  console.log(JSON.stringify(ports));
`;

async function askInParallel(leaseRoot: string, processes: number): Promise<number[][]> {
  const children = Array.from({ length: processes }, (_, index) =>
    spawnChild(`ports-${index}`, process.execPath, ['--input-type=module', '--eval', ASK], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, TMPDIR: leaseRoot },
    }),
  );
  return Promise.all(
    children.map(async (child) => {
      const { code } = await child.exited;
      if (code !== 0) throw new Error(`${child.name} failed:\n${child.output()}`);
      return JSON.parse(child.output()) as number[];
    }),
  );
}

test('400 ports asked by 4 processes at once are 400 different ports', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ports-'));
  const ports = (await askInParallel(root, 4)).flat();
  t.is(ports.length, 400);
  t.is(new Set(ports).size, 400);
  t.is((await readdir(join(root, 'knative-tracing-counter-ports'))).length, 400, 'one lease each');
});

test('leases older than two minutes are removed', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ports-'));
  const leases = join(root, 'knative-tracing-counter-ports');
  await askInParallel(root, 1);
  const old = new Date(Date.now() - 3 * 60_000);
  for (const name of await readdir(leases)) await utimes(join(leases, name), old, old);
  await writeFile(join(leases, 'fresh'), '');
  await askInParallel(root, 1);
  const names = await readdir(leases);
  t.is(names.length, 101, 'the 100 new leases and the fresh file');
  t.true(names.includes('fresh'));
});
