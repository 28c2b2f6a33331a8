// A child's output is kept as a bounded tail, while every line still reaches those who listen.
import test from 'ava';
import { countLines, keepTail, spawnChild } from '../../tools/processes/process.ts';

const tails: [string, number, string][] = [
  ['short\n', 100, 'short\n'],
  ['one\ntwo\nthree\n', 14, 'one\ntwo\nthree\n'],
  ['one\ntwo\nthree\n', 10, 'two\nthree\n'],
  ['one\ntwo\nthree\n', 9, 'three\n'],
  ['a very long line without an end', 4, ' end'],
  ['a very long line\n', 4, 'ine\n'],
];
for (const [text, limit, tail] of tails) {
  test(`keepTail(${JSON.stringify(text)}, ${limit}) is ${JSON.stringify(tail)}`, (t) => {
    t.is(keepTail(text, limit), tail);
    t.true(keepTail(text, limit).length <= limit);
  });
}

test('a talkative child: its output stays within keepLast, yet every line is heard and counted', async (t) => {
  const lines = 20_000;
  const child = spawnChild(
    'talker',
    process.execPath,
    [
      '--eval',
      `for (let i = 1; i <= ${lines}; i += 1) process.stdout.write('line ' + i + '\\n'); console.error('done');`,
    ],
    { keepLast: 1000 },
  );
  t.teardown(() => child.stop('SIGKILL'));
  const numbered = countLines(child, (line) => line.startsWith('line '));
  let last = '';
  const heard: string[] = [];
  child.onLine((line) => {
    if (line.startsWith('line ')) last = line;
    else heard.push(line);
  });
  t.is((await child.exited).code, 0);
  t.is(numbered(), lines);
  t.is(last, `line ${lines}`);
  t.true(child.output().length <= 1000, `kept ${child.output().length} characters`);
  t.regex(child.output(), /^line \d+\n/, 'the tail begins at a line');
  t.deepEqual(heard, ['done'], 'stderr is heard too');
  t.regex(child.output(), /line 20000\n/);
});

test('unsubscribed, a listener hears no more', async (t) => {
  const child = spawnChild('talker', process.execPath, [
    '--eval',
    "console.log('one'); setTimeout(() => console.log('two'), 200);",
  ]);
  t.teardown(() => child.stop('SIGKILL'));
  const heard: string[] = [];
  const unsubscribe = child.onLine((line) => {
    heard.push(line);
    unsubscribe();
  });
  await child.exited;
  t.deepEqual(heard, ['one']);
  t.is(child.output(), 'one\ntwo\n');
});
