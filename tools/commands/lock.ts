// `npm run lock`: writes each function's own package-lock.json (tools/functions/lockfiles.ts). Run it
// after changing a function's dependencies.
import { writeLockfile } from '../functions/lockfiles.ts';

for (const name of ['backend', 'frontend'] as const) console.log(`${await writeLockfile(name)} written`);
