import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { requiredGoVersion } from '../../tools/go/build.ts';
import {
  buildJaeger,
  cachedJaegerPath,
  JAEGER_MODULE_DIR,
  JaegerUnavailableError,
  locateJaeger,
} from '../../tools/jaeger/binary.ts';
import { spawnChild } from '../../tools/processes/process.ts';

async function temporaryDirectory(t: import('ava').ExecutionContext): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'jaeger-binary-test-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

test('the cache lives outside the clone, under XDG_CACHE_HOME, keyed by version', (t) => {
  t.is(cachedJaegerPath({ XDG_CACHE_HOME: '/c' }), '/c/knative-tracing-counter/jaeger-2.13.0-static/jaeger');
  t.is(cachedJaegerPath({ HOME: '/h' }), '/h/.cache/knative-tracing-counter/jaeger-2.13.0-static/jaeger');
});

test('JAEGER_BINARY wins when it is executable, and is refused clearly when it is not', async (t) => {
  const directory = await temporaryDirectory(t);
  const binary = join(directory, 'jaeger');
  await t.throwsAsync(locateJaeger({ JAEGER_BINARY: binary }), {
    instanceOf: JaegerUnavailableError,
    message: `JAEGER_BINARY is "${binary}", which is not an executable file.`,
  });
  await writeFile(binary, '#!/bin/sh\n');
  await chmod(binary, 0o755);
  t.is(await locateJaeger({ JAEGER_BINARY: binary, XDG_CACHE_HOME: directory }), binary);
});

test('a cached build is found; with none, the answer is undefined', async (t) => {
  const directory = await temporaryDirectory(t);
  t.is(await locateJaeger({ XDG_CACHE_HOME: directory }), undefined);
  const cached = cachedJaegerPath({ XDG_CACHE_HOME: directory });
  await mkdir(dirname(cached), { recursive: true });
  await writeFile(cached, '#!/bin/sh\n');
  await chmod(cached, 0o755);
  t.is(await locateJaeger({ XDG_CACHE_HOME: directory }), cached);
});

test('without Go, the build fails with the alternatives named', async (t) => {
  const directory = await temporaryDirectory(t);
  const error = await t.throwsAsync(
    buildJaeger({ XDG_CACHE_HOME: directory, PATH: directory }, () => {}),
    {
      instanceOf: JaegerUnavailableError,
    },
  );
  t.regex(error?.message ?? '', /building it needs Go/);
  t.true(
    error?.message.includes(`needs Go ${await requiredGoVersion(JAEGER_MODULE_DIR)} or newer`),
    'names the Go that tools/jaeger/go.mod asks for',
  );
  t.regex(error?.message ?? '', /JAEGER_BINARY=\/path\/to\/jaeger npm start/);
  t.regex(error?.message ?? '', /jaegertracing\/jaeger:2\.13\.0/);
});

test('npm run setup without Go and without a cache exits 1 with that message', async (t) => {
  const directory = await temporaryDirectory(t);
  const child = spawnChild('setup', process.execPath, ['tools/commands/setup.ts'], {
    cwd: REPOSITORY_ROOT,
    env: { XDG_CACHE_HOME: directory, PATH: directory },
  });
  t.is((await child.exited).code, 1);
  t.regex(child.output(), /Jaeger 2\.13\.0 is not built yet, and building it needs Go/);
});
