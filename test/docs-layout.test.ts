// The layout section of docs/design.md names every folder of tools/, test/ and docs/ on a line of its
// own, and no folder that is not there: a folder added, moved or removed fails here until the layout
// says so.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../tools/functions/run.ts';

const DESIGN = 'docs/design.md';
const LAYOUT_HEADING = '## Layout';

async function foldersUnder(folder: string): Promise<string[]> {
  const entries = await readdir(join(REPOSITORY_ROOT, folder), { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => `${folder}/${entry.name}`);
  return [folder, ...(await Promise.all(folders.map(foldersUnder))).flat()];
}

async function layoutFolders(): Promise<string[]> {
  const design = await readFile(join(REPOSITORY_ROOT, DESIGN), 'utf8');
  const heading = design.indexOf(`\n${LAYOUT_HEADING}\n`);
  if (heading < 0) throw new Error(`${DESIGN} has no section "${LAYOUT_HEADING}"`);
  const section = design.slice(heading);
  const start = section.indexOf('```\n') + 4;
  const block = section.slice(start, section.indexOf('\n```', start));
  return block
    .split('\n')
    .map((line) => /^(\S+)\/\s/.exec(line)?.[1])
    .filter((folder) => folder !== undefined);
}

test(`the layout in ${DESIGN} lists each folder of tools/, test/ and docs/ once`, async (t) => {
  const listed = await layoutFolders();
  t.deepEqual(
    listed.filter((folder, index) => listed.indexOf(folder) !== index),
    [],
    'listed twice',
  );
  const tree = [
    ...(await foldersUnder('tools')),
    ...(await foldersUnder('test')),
    ...(await foldersUnder('docs')),
  ].filter((folder) => folder !== 'tools');
  t.deepEqual(
    tree.filter((folder) => !listed.includes(folder)),
    [],
    `in the tree, not in ${DESIGN}`,
  );
});

test(`every folder the layout in ${DESIGN} lists exists`, async (t) => {
  const missing: string[] = [];
  for (const folder of await layoutFolders()) {
    const found = await stat(join(REPOSITORY_ROOT, folder)).catch(() => undefined);
    if (!found?.isDirectory()) missing.push(folder);
  }
  t.deepEqual(missing, []);
});
