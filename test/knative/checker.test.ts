// Where Knative's checker lives and when it counts as built; what running it on unreadable input
// gives. What it says of the project's objects is in check.test.ts.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import {
  CHECKER_MODULE_DIR,
  cachedCheckerPath,
  checkerSourceDigest,
  checkObjects,
  KnativeCheckError,
  KnativeCheckerUnavailableError,
  locateChecker,
  requireChecker,
} from '../../tools/knative/checker.ts';

test('the checker is cached outside the clone, keyed by the Serving version', (t) => {
  t.is(
    cachedCheckerPath({ XDG_CACHE_HOME: '/c' }),
    '/c/knative-tracing-counter/knative-check-serving-v0.50.0/knative-check',
  );
  t.is(
    cachedCheckerPath({ HOME: '/h' }),
    '/h/.cache/knative-tracing-counter/knative-check-serving-v0.50.0/knative-check',
  );
});

test('a cached checker counts only when built from the sources in tools/knative/check', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'knative-checker-test-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const env = { XDG_CACHE_HOME: directory };
  const binary = cachedCheckerPath(env);
  await t.throwsAsync(requireChecker(env), {
    instanceOf: KnativeCheckerUnavailableError,
    message: `Knative's checker (Serving v0.50.0) is not built: ${binary} does not exist. Run \`npm run setup\` (it builds the checker from Go modules, a few minutes the first time).`,
  });

  await mkdir(dirname(binary), { recursive: true });
  await writeFile(binary, '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(`${binary}.source-sha256`, 'the digest of older sources\n');
  t.is(await locateChecker(env), undefined);
  await t.throwsAsync(requireChecker(env), {
    instanceOf: KnativeCheckerUnavailableError,
    message: `Knative's checker (Serving v0.50.0) is not built: ${binary} was built from other sources than ${CHECKER_MODULE_DIR}. Run \`npm run setup\` (it builds the checker from Go modules, a few minutes the first time).`,
  });

  await writeFile(`${binary}.source-sha256`, `${await checkerSourceDigest()}\n`);
  t.is(await requireChecker(env), binary);
});

test('an object without a kind is unreadable input: the checker exits 2 and says which', async (t) => {
  const error = await t.throwsAsync(
    checkObjects([{ apiVersion: 'v1', metadata: { name: 'x' } } as never], process.env),
    { instanceOf: KnativeCheckError },
  );
  t.regex(
    error?.message ?? '',
    /exited with status 2: knative-check: unreadable input: document 1 has no apiVersion or kind$/,
  );
});
