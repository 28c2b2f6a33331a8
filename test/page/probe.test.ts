// npm run page-probe on a few visits: it starts its own system, opens the page in Chromium and prints
// the page's weight and its time to first render (figures, not assertions on their size).
import test from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { spawnChild } from '../../tools/processes/process.ts';
import { baseEnv } from '../helpers/system.ts';

test('npm run page-probe -- --visits 5 --runs 2 prints the weight and two renders of 5 rows', async (t) => {
  const probe = spawnChild(
    'page-probe',
    process.execPath,
    ['tools/commands/page-probe.ts', '--visits', '5', '--runs', '2'],
    {
      cwd: REPOSITORY_ROOT,
      env: baseEnv(),
    },
  );
  t.teardown(() => probe.stop('SIGKILL'));
  const { code } = await probe.exited;
  const output = probe.output();
  t.is(code, 0, output);
  t.regex(
    output,
    /^Page weight of the visits view: [\d,]+ bytes in \d+ files \(HTML [\d,]+ bytes, CSS [\d,]+ bytes, JS [\d,]+ bytes\), uncompressed; its JSON for 5 visits and their diagnosis: [\d,]+ bytes\.$/m,
  );
  t.regex(
    output,
    /^run 1: first render \d+ ms after navigation \(5 rows; \/api\/visits asked at \d+ ms, answered in \d+ ms\); \d+ ms from goto to 5 rows$/m,
  );
  t.regex(output, /^run 2: first render \d+ ms/m);
  t.regex(output, /^Time to first render with 5 traces: median \d+ ms\.$/m);
  const weight = Number(/view: ([\d,]+) bytes/.exec(output)?.[1]?.replaceAll(',', ''));
  t.true(weight > 5000, `the page's files were counted: ${weight} bytes`);
});

test('npm run page-probe refuses a bad flag with its usage', async (t) => {
  const probe = spawnChild('page-probe', process.execPath, ['tools/commands/page-probe.ts', '--visits', 'lots'], {
    cwd: REPOSITORY_ROOT,
    env: baseEnv(),
  });
  t.teardown(() => probe.stop('SIGKILL'));
  t.is((await probe.exited).code, 2);
  t.regex(probe.output(), /^--visits is "lots": expected a whole number from 1\nusage: npm run page-probe/);
});
