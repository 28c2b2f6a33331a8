// The function images, built by podman from the Dockerfiles exactly as a user builds them with
// Docker (npm run setup builds them; npm test runs setup first).
import test from 'ava';
import { baseImageName } from '../../tools/containers/base-image.ts';
import { ensureFunctionImage, imageName } from '../../tools/containers/images.ts';
import { podmanOk, ULIMITS } from '../../tools/containers/podman.ts';
import type { FunctionName } from '../../tools/functions/run.ts';

const FUNCTIONS: FunctionName[] = ['backend', 'frontend'];

/** Runs a command in a throw-away container of the image, answering what it printed. */
function runIn(image: string, command: string[]): Promise<string> {
  return podmanOk(['run', '--rm', '--network', 'none', ...ULIMITS, image, ...command]);
}

test('the base image carries the project Node, npm 11 and the user node (1000:1000)', async (t) => {
  const base = await baseImageName();
  const output = await runIn(base, ['sh', '-c', 'node --version; npm --version; id node']);
  const [node, npm, user] = output.trim().split('\n');
  t.is(node, 'v24.21.0');
  t.regex(npm ?? '', /^11\./);
  t.is(user, 'uid=1000(node) gid=1000(node) groups=1000(node)');
});

for (const name of FUNCTIONS) {
  test(`${name}: an unchanged function is not built again`, async (t) => {
    await ensureFunctionImage(name, () => {});
    const again = await ensureFunctionImage(name, (line) => t.log(line));
    t.is(again.buildSeconds, undefined, 'the second call found the image current');
    t.is(again.name, await imageName(name));
    t.log(`${again.name}: ${(again.sizeBytes / 1e6).toFixed(0)} MB`);
  });

  test(`${name}: the runtime image holds production dependencies, the source and the bundle only`, async (t) => {
    const image = await imageName(name);
    const config = JSON.parse(await podmanOk(['image', 'inspect', '--format', '{{json .Config}}', image])) as {
      User: string;
      Cmd: string[];
      Env: string[];
    };
    t.is(config.User, '1000:1000');
    t.deepEqual(config.Cmd, ['node', '--import', './src/lib/telemetry.ts', './src/express-main.ts']);
    t.true(config.Env.includes('NODE_ENV=production'));
    const present = await runIn(image, [
      'node',
      '-e',
      `const fs = require('node:fs');
       for (const path of ['dist/tracing.mjs', 'src/express-main.ts', 'node_modules/express', 'node_modules/esbuild',
         'node_modules/.bin/esbuild', 'tsconfig.json', 'func.yaml', 'Dockerfile', '/home/node/.npm'])
         console.log(path, fs.existsSync(path));`,
    ]);
    t.deepEqual(
      Object.fromEntries(
        present
          .trim()
          .split('\n')
          .map((line) => line.split(' ') as [string, string]),
      ),
      {
        'dist/tracing.mjs': 'true',
        'src/express-main.ts': 'true',
        'node_modules/express': 'true',
        'node_modules/esbuild': 'false',
        'node_modules/.bin/esbuild': 'false',
        'tsconfig.json': 'false',
        'func.yaml': 'false',
        Dockerfile: 'false',
        '/home/node/.npm': 'false',
      },
    );
  });
}
