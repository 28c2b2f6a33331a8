// The README and docs/ cannot drift from the repository: every relative link or image leads to a file
// that exists (and to a heading that exists, when it names one), and every npm script they run is one
// that package.json defines.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../tools/functions/run.ts';
import { headingAnchors, linksOf, markdownDocuments, npmScriptsOf, slugOf } from './helpers/markdown.ts';

const read = (path: string) => readFile(join(REPOSITORY_ROOT, path), 'utf8');
const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** What is wrong with each relative link of one document: a missing file, or a missing heading. */
async function brokenLinks(document: string): Promise<string[]> {
  const text = await read(document);
  const broken: string[] = [];
  for (const { target, line } of linksOf(text)) {
    if (isExternal(target)) continue;
    const [path = '', fragment] = target.split('#', 2);
    const file = path === '' ? join(REPOSITORY_ROOT, document) : resolve(REPOSITORY_ROOT, dirname(document), path);
    const where = `${document}:${line} ${target}`;
    if (relative(REPOSITORY_ROOT, file).startsWith('..')) {
      broken.push(`${where}: outside the repository`);
      continue;
    }
    const found = await stat(file).catch(() => undefined);
    if (!found) {
      broken.push(`${where}: no such file`);
      continue;
    }
    if (fragment !== undefined && file.endsWith('.md')) {
      const anchors = headingAnchors(await readFile(file, 'utf8'));
      if (!anchors.has(decodeURIComponent(fragment))) broken.push(`${where}: no such heading`);
    }
  }
  return broken;
}

test('the README and every file of docs/ are found', async (t) => {
  const found = await markdownDocuments();
  t.true(found.includes('README.md'));
  t.true(found.includes('docs/deploy.md'), found.join(', '));
});

test('every relative link and image in the README and docs/ leads to a file and heading that exist', async (t) => {
  const broken = (await Promise.all((await markdownDocuments()).map(brokenLinks))).flat();
  t.deepEqual(broken, []);
});

test('every docs/ file is linked from the README, and starts with a title and a line on what it is for', async (t) => {
  const readme = await read('README.md');
  const linked = new Set(linksOf(readme).map(({ target }) => target.split('#')[0]));
  for (const document of (await markdownDocuments()).filter((path) => path.startsWith('docs/'))) {
    t.true(linked.has(document), `${document} is not linked from the README`);
    const [title = '', blank, purpose = ''] = (await read(document)).split('\n');
    t.regex(title, /^# \S/, `${document} starts with a title`);
    t.is(blank, '', `${document}: a blank line after the title`);
    t.regex(purpose, /^\S/, `${document}: a line on what it is for, after the title`);
  }
});

test('every npm script the README and docs/ run is one package.json defines', async (t) => {
  const { scripts } = JSON.parse(await read('package.json')) as { scripts: Record<string, string> };
  const unknown: string[] = [];
  for (const document of await markdownDocuments()) {
    for (const script of npmScriptsOf(await read(document))) {
      if (!(script in scripts)) unknown.push(`${document}: npm run ${script}`);
    }
  }
  t.deepEqual(unknown, []);
});

// The readers themselves, on cases where the answer is known.
const linkCases: [string, string, string[]][] = [
  ['a link and an image', 'See [a](docs/a.md#b) and ![i](docs/images/i.png).', ['docs/a.md#b', 'docs/images/i.png']],
  ['a link in inline code is not one', 'Write `[a](b.md)` for a link.', []],
  ['a link in a fenced block is not one', '```\n[a](b.md)\n```\n[c](d.md)', ['d.md']],
  ['a link with a title', '[a](b.md "the title")', ['b.md']],
  ['an external link', '[a](https://example.org/x)', ['https://example.org/x']],
];

for (const [title, text, targets] of linkCases) {
  test(`links: ${title}`, (t) => {
    t.deepEqual(
      linksOf(text).map(({ target }) => target),
      targets,
    );
  });
}

const slugCases: [string, string][] = [
  ['Find the slow step', 'find-the-slow-step'],
  ['2. `kn service create` with a container image', '2-kn-service-create-with-a-container-image'],
  ["Jaeger and Knative's tracing (every path needs them)", 'jaeger-and-knatives-tracing-every-path-needs-them'],
  ['3. The manifests, with `npm run deploy`', '3-the-manifests-with-npm-run-deploy'],
];

for (const [heading, slug] of slugCases) {
  test(`the anchor of "${heading}" is ${slug}`, (t) => {
    t.is(slugOf(heading), slug);
  });
}

test('a repeated heading gets a numbered anchor; a heading in a fenced block gets none', (t) => {
  const anchors = headingAnchors('# A\n## Notes\n## Notes\n```\n## Code\n```\n');
  t.deepEqual([...anchors], ['a', 'notes', 'notes-1']);
});

test('npm scripts are read from prose and code alike; npm itself is not a script', (t) => {
  t.deepEqual(npmScriptsOf('Run `npm run load -- --visits 2`, then:\n```sh\nnpm start\nnpm test\nnpm ci\n```'), [
    'load',
    'start',
    'test',
  ]);
});
