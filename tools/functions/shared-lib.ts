// The library both functions share. Each function folder is a build context of its own (func
// deploy, container builds), so each carries a copy of it in src/lib/. The one source is
// functions/lib/; the copies are generated from it, each file under a header that says so, by
// `npm run build` (tools/commands/generate-lib.ts), and test/shared-lib.test.ts proves the committed ones current.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type FunctionName, functionDirectory, REPOSITORY_ROOT } from './run.ts';

export const SHARED_LIB_SOURCE = join(REPOSITORY_ROOT, 'functions', 'lib');
export const SHARED_LIB_USERS: readonly FunctionName[] = ['backend', 'frontend'];

/** Where a function keeps its copy. */
export function sharedLibCopy(name: FunctionName): string {
  return join(functionDirectory(name), 'src', 'lib');
}

/** A copy of one file: the header, then the source as it is. */
export function renderCopy(file: string, source: string): string {
  return `// Generated from functions/lib/${file} by tools/commands/generate-lib.ts (npm run build): do not edit.\n${source}`;
}

/** Every file of a copy, by name in order, as `source` generates it. */
export async function generateSharedLib(source = SHARED_LIB_SOURCE): Promise<Map<string, string>> {
  const files = (await readdir(source)).filter((file) => file.endsWith('.ts')).sort();
  const texts = await Promise.all(
    files.map(async (file) => renderCopy(file, await readFile(join(source, file), 'utf8'))),
  );
  return new Map(files.map((file, index) => [file, texts[index] ?? '']));
}

/**
 * Writes each copy as the source generates it, and removes the files the source no longer has.
 * A file already current is left alone. Answers the paths written or removed, relative to the repository.
 */
export async function writeSharedLib(
  source = SHARED_LIB_SOURCE,
  copies: readonly string[] = SHARED_LIB_USERS.map(sharedLibCopy),
): Promise<string[]> {
  const generated = await generateSharedLib(source);
  const changed: string[] = [];
  for (const copy of copies) {
    await mkdir(copy, { recursive: true });
    for (const file of await readdir(copy)) {
      if (generated.has(file)) continue;
      await rm(join(copy, file), { recursive: true });
      changed.push(relative(REPOSITORY_ROOT, join(copy, file)));
    }
    for (const [file, text] of generated) {
      const path = join(copy, file);
      if ((await readFile(path, 'utf8').catch(() => undefined)) === text) continue;
      await writeFile(path, text);
      changed.push(relative(REPOSITORY_ROOT, path));
    }
  }
  return changed;
}
