// `npm run page -- [--jaeger URL] [--port 8090] [--service frontend]`: the trace page alone (visits,
// diagnosis, traces), reading the Jaeger that diagnose would read: --jaeger, else the local one of
// `npm start`, else the cluster's, port-forwarded. Runs until Ctrl-C.
import { parseArgs } from 'node:util';
import { FlagValueError, parseWholeNumberFlag } from '../cli/flags.ts';
import { findJaeger, JaegerNotFoundError } from '../jaeger/source.ts';
import { ConfigError, readPort } from '../local/settings.ts';
import { DEFAULT_PAGE_PORT } from '../local/start-plan.ts';
import { PagePortError, startTracePage } from '../page/server.ts';

const usage = `usage: npm run page -- [--jaeger URL] [--port ${DEFAULT_PAGE_PORT}] [--service frontend]`;

async function main(argv: string[]): Promise<number | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      jaeger: { type: 'string' },
      port: { type: 'string' },
      service: { type: 'string', default: 'frontend' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let port: number;
  try {
    port =
      values.port === undefined
        ? readPort(process.env, 'PAGE_PORT', DEFAULT_PAGE_PORT)
        : parseWholeNumberFlag('port', values.port, { min: 0 });
    if (port > 65_535) throw new FlagValueError(`--port is "${values.port}": expected a port from 0 to 65535`);
  } catch (error) {
    if (!(error instanceof FlagValueError || error instanceof ConfigError)) throw error;
    console.error(`${error.message}\n${usage}`);
    return 2;
  }
  const source = await findJaeger(values.jaeger, process.env);
  let page: Awaited<ReturnType<typeof startTracePage>>;
  try {
    page = await startTracePage({ port, jaegerUrl: source.url, service: values.service });
  } catch (error) {
    await source.close();
    throw error;
  }
  console.log(`page       ${page.url}    visits, diagnosis, traces of "${values.service}"`);
  console.log(`jaeger     ${source.description}`);
  console.log('Ctrl-C stops it.');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.all([page.close(), source.close()]).then(() => {
        process.exitCode = 0;
      });
    });
  }
  return undefined;
}

try {
  const status = await main(process.argv.slice(2));
  if (status !== undefined) process.exitCode = status;
} catch (error) {
  const plain = error instanceof JaegerNotFoundError || error instanceof PagePortError || error instanceof TypeError;
  console.error(plain ? (error as Error).message : error);
  process.exitCode = 1;
}
