// Jaeger sampling strategy files for tests, written to a folder of the test's own.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

/**
 * A default probabilistic strategy for every service, with the per-operation part (the server span's
 * first name, GET, at `get`: by default the same probability) that @opentelemetry/sampler-jaeger-remote
 * needs to follow Jaeger v2's answer; `plain` leaves that part out.
 */
export function strategiesJson(probability: number, { plain = false, get = probability } = {}): string {
  const operations = plain ? {} : { operation_strategies: [{ operation: 'GET', type: 'probabilistic', param: get }] };
  return `${JSON.stringify({ default_strategy: { type: 'probabilistic', param: probability, ...operations } }, null, 2)}\n`;
}

/** A strategies file of the test's own (removed in teardown), and a way to rewrite it. */
export async function strategiesFile(
  t: ExecutionContext,
  probability: number,
  options: { plain?: boolean; get?: number } = {},
) {
  const folder = await mkdtemp(join(tmpdir(), 'strategies-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  const path = join(folder, 'strategies.json');
  await writeFile(path, strategiesJson(probability, options));
  return { path, rewrite: (next: number) => writeFile(path, strategiesJson(next)) };
}
