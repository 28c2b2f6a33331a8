// An uncaught exception ends the process with status 1 and a line that says so, never silently
// with 0 (as faas-js-runtime alone would), so that Kubernetes sees a crash and restarts it.
import { join } from 'node:path';
import test from 'ava';
import { ENTRIES, functionDirectory, REPOSITORY_ROOT } from '../../tools/functions.ts';
import { findFreePort } from '../../tools/ports.ts';
import { spawnChild } from '../../tools/process.ts';
import { baseEnv } from '../helpers/system.ts';

for (const entry of ENTRIES) {
  test(`${entry}: an uncaught exception is logged and ends the process with status 1`, async (t) => {
    const port = String(await findFreePort());
    const main = entry === 'faas' ? './src/faas-main.ts' : './src/express-main.ts';
    const child = spawnChild(
      'backend',
      process.execPath,
      ['--import', './src/lib/telemetry.ts', '--import', join(REPOSITORY_ROOT, 'test/fixtures/throw-later.ts'), main],
      {
        cwd: functionDirectory('backend'),
        env: baseEnv({
          FUNC_PORT: port,
          PORT: port,
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${await findFreePort()}`,
        }),
      },
    );
    t.teardown(() => child.stop('SIGKILL'));
    const exit = await child.exited;
    t.deepEqual(exit, { code: 1, signal: null }, child.output());
    t.regex(child.output(), /backend listening on/);
    t.regex(child.output(), /backend is stopping on an uncaught error: Error: a bug outside any request/);
  });
}
