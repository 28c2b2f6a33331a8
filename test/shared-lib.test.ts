// Each function folder is its own build context (func deploy, container builds), so each carries a
// copy of the shared library in src/lib/, generated from functions/lib/ by `npm run build`. The
// committed copies must be exactly what the source generates: edit functions/lib/, never a copy.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  generateSharedLib,
  renderCopy,
  SHARED_LIB_USERS,
  sharedLibCopy,
  writeSharedLib,
} from '../tools/functions/shared-lib.ts';

test('functions/*/src/lib are what functions/lib generates, each file marked generated', async (t) => {
  const generated = await generateSharedLib();
  t.true(generated.size > 0);
  for (const name of SHARED_LIB_USERS) {
    const copy = sharedLibCopy(name);
    t.deepEqual(
      (await readdir(copy)).sort(),
      [...generated.keys()],
      `functions/${name}/src/lib holds the source's files`,
    );
    for (const [file, text] of generated) {
      t.regex(text, new RegExp(`^// Generated from functions/lib/${file} by .*: do not edit\\.\\n`));
      t.true(
        (await readFile(join(copy, file), 'utf8')) === text,
        `functions/${name}/src/lib/${file} is not what functions/lib/${file} generates: edit the source, then npm run build`,
      );
    }
  }
});

test('writeSharedLib brings a copy up to date: writes what changed, removes what the source lost', async (t) => {
  const scratch = await mkdtemp(join(tmpdir(), 'shared-lib-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const source = join(scratch, 'lib');
  const copy = join(scratch, 'copy');
  await mkdir(source);
  await mkdir(copy);
  await writeFile(join(source, 'a.ts'), 'export const a = 1;\n');
  await writeFile(join(source, 'b.ts'), 'export const b = 2;\n');
  await writeFile(join(copy, 'a.ts'), 'export const a = 0; // edited by hand\n');
  await writeFile(join(copy, 'gone.ts'), 'export const gone = true;\n');

  t.is((await writeSharedLib(source, [copy])).length, 3, 'a.ts rewritten, b.ts written, gone.ts removed');
  t.deepEqual((await readdir(copy)).sort(), ['a.ts', 'b.ts']);
  t.is(await readFile(join(copy, 'a.ts'), 'utf8'), renderCopy('a.ts', 'export const a = 1;\n'));
  t.deepEqual(await writeSharedLib(source, [copy]), [], 'a current copy is left alone');
});
