// `npm run page` as a user runs it: it finds Jaeger as diagnose does, serves the page until SIGTERM,
// and refuses a bad port or an unreachable Jaeger in one line.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { spawnChild, waitFor } from '../../tools/processes/process.ts';
import { runOurCommand } from '../helpers/commands.ts';
import { startTestJaeger } from '../helpers/system.ts';

test('npm run page -- --jaeger URL --port N serves the page until SIGTERM', async (t) => {
  const jaeger = await startTestJaeger(t);
  const port = await findFreePort();
  const page = spawnChild(
    'page',
    process.execPath,
    ['tools/commands/page.ts', '--jaeger', jaeger.queryUrl, '--port', String(port)],
    {
      cwd: REPOSITORY_ROOT,
      env: { PATH: process.env.PATH },
    },
  );
  t.teardown(() => page.stop('SIGKILL'));
  await waitFor('the page to say where it is', async () => (page.output().includes('Ctrl-C') ? true : undefined), {
    timeoutMs: 15_000,
    child: page,
  });
  t.regex(page.output(), new RegExp(`^page +http://localhost:${port} +visits, diagnosis, traces of "frontend"$`, 'm'));
  t.regex(page.output(), new RegExp(`^jaeger +${jaeger.queryUrl}$`, 'm'));
  const visits = await fetch(`http://localhost:${port}/api/visits`);
  t.is(visits.status, 200);
  t.deepEqual(((await visits.json()) as { visits: unknown[] }).visits, []);
  const exit = await page.stop('SIGTERM');
  t.is(exit.code, 0);
});

for (const [args, code, message] of [
  [['--port', 'eighty'], 2, /^--port is "eighty": expected a whole number from 0\nusage: npm run page/],
  [['--port', '70000'], 2, /^--port is "70000": expected a port from 0 to 65535/],
] as const) {
  test(`npm run page -- ${args.join(' ')} exits ${code}`, async (t) => {
    const { code: exit, output } = await runOurCommand(t, 'page', args);
    t.is(exit, code);
    t.regex(output, message);
  });
}

test('with no Jaeger to find, npm run page says so and exits 1', async (t) => {
  // In a network namespace of the test's own, localhost:16686 is certainly empty, whatever runs on this
  // machine (`npm start` in another terminal serves Jaeger there); and the home has no kubeconfig.
  const home = await mkdtemp(join(tmpdir(), 'page-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const page = spawnChild(
    'page',
    'unshare',
    ['--net', '--', process.execPath, 'tools/commands/page.ts', '--port', '0'],
    {
      cwd: REPOSITORY_ROOT,
      env: { PATH: process.env.PATH, HOME: home },
    },
  );
  t.teardown(() => page.stop('SIGKILL'));
  const { code } = await page.exited;
  t.is(code, 1, page.output());
  t.regex(
    page.output(),
    /^Jaeger is unreachable at http:\/\/localhost:16686 \(start it with npm start\), and there is no kubeconfig/m,
  );
});
