// Each function's own package-lock.json. A function folder is a build context of its own (func deploy,
// docker build), so it carries a lockfile for `npm ci` there; the root lockfile covers the workspace.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnChild } from '../processes/process.ts';
import { type FunctionName, functionDirectory } from './run.ts';

/** Writes the function's package-lock.json as npm resolves the function alone; returns its path. */
export async function writeLockfile(name: FunctionName): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), `lock-${name}-`));
  try {
    // Outside the workspace, so that npm resolves the function alone, as its build context will.
    await copyFile(join(functionDirectory(name), 'package.json'), join(scratch, 'package.json'));
    const npm = spawnChild(
      'npm',
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
      { cwd: scratch },
    );
    const { code } = await npm.exited;
    if (code !== 0) throw new Error(`npm install --package-lock-only failed for ${name}:\n${npm.output()}`);
    await copyFile(join(scratch, 'package-lock.json'), join(functionDirectory(name), 'package-lock.json'));
    return `functions/${name}/package-lock.json`;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
