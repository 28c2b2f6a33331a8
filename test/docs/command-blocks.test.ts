// The promise above each shell block of a document (tools/docs/command-blocks.ts): which blocks the
// cluster tests run, which not and why, and that none is left without either. The runs themselves
// are in test/cluster/deploy-docs.test.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { CommandBlockError, commandBlocks, scenarioBlocks } from '../../tools/docs/command-blocks.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';

const DOCUMENT = [
  '# Title',
  '<!-- runs here: kind, cloud -->',
  '```sh',
  'kubectl apply -f jaeger/',
  '```',
  'Text.',
  '<!-- not run here: needs Docker -->',
  '```sh',
  'kn quickstart kind',
  '```',
  '```yaml',
  'not: a shell block',
  '```',
  '<!-- runs here: cloud -->',
  '```bash',
  "echo 'it''s'",
  '```',
].join('\n');

test('each shell block with the scenarios that run it, or why it is not run', (t) => {
  t.deepEqual(commandBlocks(DOCUMENT), [
    { line: 3, body: 'kubectl apply -f jaeger/', runs: ['kind', 'cloud'] },
    { line: 8, body: 'kn quickstart kind', runs: [], notRun: 'needs Docker' },
    { line: 15, body: "echo 'it''s'", runs: ['cloud'] },
  ]);
});

test('a shell block without a promise is an error that names its line', (t) => {
  const error = t.throws(() => commandBlocks('Text\n```sh\nrm -rf /\n```\n\n```sh\nls\n```\n', 'x.md'), {
    instanceOf: CommandBlockError,
  });
  t.regex(error?.message ?? '', /^x\.md: the shell blocks at lines 2, 6 say neither/);
});

test('a block never closed is an error', (t) => {
  t.throws(() => commandBlocks('<!-- runs here: kind -->\n```sh\nls\n'), {
    message: /:2: a fenced block is never closed/,
  });
});

test("a scenario's blocks, in the document's order; a scenario that runs none is an error", (t) => {
  t.deepEqual(
    scenarioBlocks(commandBlocks(DOCUMENT), 'cloud').map((block) => block.line),
    [3, 15],
  );
  t.throws(() => scenarioBlocks(commandBlocks(DOCUMENT), 'mars'), { instanceOf: CommandBlockError });
});

test('every shell block of docs/deploy.md is run by a scenario or says why not', async (t) => {
  const blocks = commandBlocks(await readFile(join(REPOSITORY_ROOT, 'docs/deploy.md'), 'utf8'), 'docs/deploy.md');
  const scenarios = new Set(blocks.flatMap((block) => block.runs));
  t.deepEqual([...scenarios].sort(), ['cloud', 'kind']);
  // The path a user follows is run end to end: apply, build and push, create, visit, trace, clean up.
  for (const scenario of scenarios) {
    const script = scenarioBlocks(blocks, scenario)
      .map((block) => block.body)
      .join('\n');
    for (const step of [/^kubectl apply -f jaeger\/$/m, /^docker push /m, /^curl /m, /^npm run trace$/m, /delete/])
      t.regex(script, step, `${scenario} has no ${step}`);
  }
});
