// The README's layout section ("How it is built") names every folder of tools/ and test/ on a line of
// its own, and no folder that is not there: a folder added, moved or removed fails here until the
// README says so.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../tools/functions/run.ts';

async function foldersUnder(folder: string): Promise<string[]> {
  const entries = await readdir(join(REPOSITORY_ROOT, folder), { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => `${folder}/${entry.name}`);
  return [folder, ...(await Promise.all(folders.map(foldersUnder))).flat()];
}

async function layoutFolders(): Promise<string[]> {
  const readme = await readFile(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## How it is built'));
  const start = section.indexOf('```\n') + 4;
  const block = section.slice(start, section.indexOf('\n```', start));
  return block
    .split('\n')
    .map((line) => /^(\S+)\/\s/.exec(line)?.[1])
    .filter((folder) => folder !== undefined);
}

test('the layout section lists each folder of tools/ and test/ once', async (t) => {
  const listed = await layoutFolders();
  t.deepEqual(
    listed.filter((folder, index) => listed.indexOf(folder) !== index),
    [],
    'listed twice',
  );
  const tree = [...(await foldersUnder('tools')), ...(await foldersUnder('test'))].filter(
    (folder) => folder !== 'tools',
  );
  t.deepEqual(
    tree.filter((folder) => !listed.includes(folder)),
    [],
    'in the tree, not in the README',
  );
});

test('every folder the layout section lists exists', async (t) => {
  const missing: string[] = [];
  for (const folder of await layoutFolders()) {
    const found = await stat(join(REPOSITORY_ROOT, folder)).catch(() => undefined);
    if (!found?.isDirectory()) missing.push(folder);
  }
  t.deepEqual(missing, []);
});
