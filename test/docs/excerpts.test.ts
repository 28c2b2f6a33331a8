// Code quoted in the README and docs/ is the code of the file it names (tools/docs/excerpts.ts): an
// excerpt that no longer stands in its file, as written, fails here; so does TypeScript that quotes
// no file at all.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { ExcerptError, excerptsOf, findExcerpt } from '../../tools/docs/excerpts.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { markdownDocuments } from '../helpers/markdown.ts';

const read = (path: string) => readFile(join(REPOSITORY_ROOT, path), 'utf8');

test('every excerpt in the README and docs/ stands, as written, in the file it names', async (t) => {
  const stale: string[] = [];
  let count = 0;
  for (const document of await markdownDocuments()) {
    for (const excerpt of excerptsOf(await read(document), document)) {
      count += 1;
      const source = await read(excerpt.file).catch(() => undefined);
      if (source === undefined) stale.push(`${document}:${excerpt.line}: ${excerpt.file} does not exist`);
      else if (findExcerpt(source, excerpt.body) === undefined) {
        stale.push(`${document}:${excerpt.line}: not in ${excerpt.file}:\n${excerpt.body}`);
      }
    }
  }
  t.deepEqual(stale, []);
  t.true(count > 0, 'no excerpt found at all');
});

test('the walkthrough quotes the preload, a span of ours, the context crossing, traceresponse and the visit', async (t) => {
  const quoted = excerptsOf(await read('docs/walkthrough.md'), 'docs/walkthrough.md');
  const bodies = (file: string) =>
    quoted
      .filter((excerpt) => excerpt.file === file)
      .map((excerpt) => excerpt.body)
      .join('\n');
  t.regex(bodies('functions/backend/package.json'), /node --import \.\/src\/lib\/telemetry\.ts/);
  t.regex(bodies('functions/lib/telemetry.ts'), /async function startTelemetry/);
  t.regex(bodies('functions/backend/src/counter-service.ts'), /inSpan\(tracer, 'simulate lag'/);
  t.regex(bodies('functions/lib/http-spans.ts'), /propagation\.inject\(/);
  t.regex(bodies('functions/lib/http-spans.ts'), /propagation\.extract\(/);
  t.regex(bodies('functions/lib/spans.ts'), /function traceResponseHeader/);
  t.regex(bodies('functions/frontend/src/visit.ts'), /return after - 1;/);
});

// The readers themselves, on cases where the answer is known.
const SOURCE = ['export function f() {', '  if (a) {', '    return 1;', '', '  }', '}'].join('\n');

const findCases: [string, string, number | undefined][] = [
  ['the whole file', SOURCE, 1],
  ['lines in the middle, as indented there', '  if (a) {\n    return 1;', 2],
  ['the same lines without their common indentation', 'if (a) {\n  return 1;\n\n}', 2],
  ['a line changed', 'if (a) {\n  return 2;', undefined],
  ['lines out of order', '  return 1;\nif (a) {', undefined],
  ['an indentation that is not common to all', 'if (a) {\n    return 1;', undefined],
  ['a part of a line only', 'return', undefined],
  ['nothing but blank lines', '\n', undefined],
];

for (const [title, body, line] of findCases) {
  test(`findExcerpt: ${title}`, (t) => {
    t.is(findExcerpt(SOURCE, body), line);
  });
}

test('excerptsOf: the blocks under a marker, with their file; other blocks are not excerpts', (t) => {
  const document = [
    '<!-- excerpt: functions/lib/spans.ts -->',
    '```ts',
    'export function inSpan() {}',
    '```',
    '```sh',
    'npm start',
    '```',
    '<!-- excerpt: functions/backend/package.json -->',
    '```',
    '  "start": "node"',
    '```',
  ].join('\n');
  t.deepEqual(excerptsOf(document), [
    { line: 2, file: 'functions/lib/spans.ts', body: 'export function inSpan() {}' },
    { line: 9, file: 'functions/backend/package.json', body: '  "start": "node"' },
  ]);
});

test('excerptsOf: TypeScript that quotes no file, or a marker with no block, is an error naming its line', (t) => {
  const error = t.throws(() => excerptsOf('Text\n```ts\nconst a = 1;\n```\n<!-- excerpt: a.ts -->\nText\n', 'x.md'), {
    instanceOf: ExcerptError,
  });
  t.regex(error?.message ?? '', /^x\.md:2: a ts block that quotes no file/m);
  t.regex(error?.message ?? '', /^x\.md:5: an excerpt marker with no fenced block/m);
});
