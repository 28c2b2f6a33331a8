// Each function folder is its own build context (func deploy, container builds), so each carries a
// copy of src/lib. The copies must stay identical: change one, then copy it to the other.
import { readdir, readFile } from 'node:fs/promises';
import test from 'ava';
import { functionDirectory } from '../tools/functions.ts';

test('functions/*/src/lib are identical copies', async (t) => {
  const frontend = `${functionDirectory('frontend')}/src/lib`;
  const backend = `${functionDirectory('backend')}/src/lib`;
  const files = (await readdir(backend)).sort();
  t.deepEqual((await readdir(frontend)).sort(), files);
  t.true(files.length > 0);
  for (const file of files) {
    const [a, b] = await Promise.all([readFile(`${frontend}/${file}`, 'utf8'), readFile(`${backend}/${file}`, 'utf8')]);
    t.true(a === b, `src/lib/${file} differs: cp functions/backend/src/lib/${file} functions/frontend/src/lib/`);
  }
});
