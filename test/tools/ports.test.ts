// Free ports handed to processes that start at the same time: never the same one twice.
import {
  chmod,
  chown,
  lutimes,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { ensureLeasesFolder, LeasesFolderError, takeLease } from '../../tools/processes/ports.ts';
import { spawnChild } from '../../tools/processes/process.ts';

/** The folder's name under TMPDIR: this user's own. */
const LEASES_NAME = `knative-tracing-counter-ports-${process.getuid?.()}`;

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
  t.is((await readdir(join(root, LEASES_NAME))).length, 400, 'one lease each');
});

test('leases older than two minutes are removed', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ports-'));
  const leases = join(root, LEASES_NAME);
  await askInParallel(root, 1);
  const old = new Date(Date.now() - 3 * 60_000);
  for (const name of await readdir(leases)) await utimes(join(leases, name), old, old);
  await writeFile(join(leases, 'fresh'), '');
  await askInParallel(root, 1);
  const names = await readdir(leases);
  t.is(names.length, 101, 'the 100 new leases and the fresh file');
  t.true(names.includes('fresh'));
});

test("the leases' folder is refused unless it is this user's own folder that only it can write", async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ports-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const mine = join(root, 'mine');
  await ensureLeasesFolder(mine);
  t.notThrows(() => ensureLeasesFolder(mine));
  const others = join(root, 'others');
  await mkdir(others);
  await chown(others, 65_534, 65_534);
  await t.throwsAsync(ensureLeasesFolder(others), { instanceOf: LeasesFolderError, message: /belongs to user 65534/ });
  const open = join(root, 'open');
  await mkdir(open);
  await chmod(open, 0o777);
  await t.throwsAsync(ensureLeasesFolder(open), { instanceOf: LeasesFolderError, message: /mode 777/ });
  const link = join(root, 'link');
  await symlink(mine, link);
  await t.throwsAsync(ensureLeasesFolder(link), { instanceOf: LeasesFolderError, message: /is not a folder/ });
});

test('an old lease that is a link is replaced, never written through', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ports-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const folder = join(root, 'leases');
  await ensureLeasesFolder(folder);
  const target = join(root, 'precious');
  await writeFile(target, 'keep me');
  await symlink(target, join(folder, '40000'));
  const old = new Date(Date.now() - 3 * 60_000);
  await lutimes(join(folder, '40000'), old, old);
  t.true(await takeLease(folder, 40_000));
  t.is(await readFile(target, 'utf8'), 'keep me');
  t.is(await readFile(join(folder, '40000'), 'utf8'), String(process.pid));
  t.false(await takeLease(folder, 40_000), 'a fresh lease is held');
});
