// `npm run generate-lib`, which `npm run build` runs first: writes each function's src/lib/ from
// functions/lib/, the one source of the library both functions share (see tools/functions/shared-lib.ts).
import { writeSharedLib } from '../functions/shared-lib.ts';

for (const path of await writeSharedLib()) console.log(`${path} generated`);
