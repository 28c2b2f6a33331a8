// `npm run trace -- [TRACE_ID] [--jaeger URL] [--service NAME]`: draws a trace from Jaeger as a
// waterfall; without an id, the most recent trace of the service (default: frontend). Jaeger is found
// as diagnose finds it: --jaeger, else the local one of `npm start`, else the cluster's, port-forwarded.
import { parseArgs } from 'node:util';
import { fetchTrace, fetchTraces, JaegerQueryError } from '../jaeger/query.ts';
import { findJaeger, JaegerNotFoundError } from '../jaeger/source.ts';
import { drawWaterfall } from '../report/waterfall.ts';

const usage = 'usage: npm run trace -- [TRACE_ID] [--jaeger http://localhost:16686] [--service frontend]';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      jaeger: { type: 'string' },
      service: { type: 'string', default: 'frontend' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [traceId, extra] = positionals;
  if (extra !== undefined || (traceId !== undefined && !/^[0-9a-f]{1,32}$/i.test(traceId))) {
    console.error(`Not a trace id: ${extra ?? traceId}\n${usage}`);
    return 2;
  }
  const source = await findJaeger(values.jaeger, process.env);
  const jaeger = source.url;
  let trace: Awaited<ReturnType<typeof fetchTrace>>;
  try {
    trace = traceId ? await fetchTrace(jaeger, traceId) : (await fetchTraces(jaeger, values.service, 1))[0];
  } finally {
    await source.close();
  }
  if (!trace) {
    console.error(
      traceId
        ? `Jaeger at ${jaeger} has no trace ${traceId} (spans arrive a few seconds after the visit).`
        : `Jaeger at ${jaeger} has no trace of service "${values.service}" yet: visit the frontend first.`,
    );
    return 1;
  }
  console.log(drawWaterfall(trace));
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const known = error instanceof JaegerQueryError || error instanceof JaegerNotFoundError;
  console.error(known || error instanceof TypeError ? error.message : error);
  process.exitCode = 1;
}
