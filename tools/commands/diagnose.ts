// `npm run diagnose -- [--jaeger URL] [--service frontend] [--limit 100] [--json]`: reads recent
// traces from Jaeger and names the step that makes visits slow, with its evidence.
import { parseArgs } from 'node:util';
import { FlagValueError, parseWholeNumberFlag } from '../cli/flags.ts';
import { diagnose } from '../diagnose/analyze.ts';
import { renderDiagnosis } from '../diagnose/report.ts';
import { fetchTraces, JaegerQueryError } from '../jaeger/query.ts';
import { findJaeger, JaegerNotFoundError } from '../jaeger/source.ts';

const usage = 'usage: npm run diagnose -- [--jaeger URL] [--service frontend] [--limit 100] [--json]';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      jaeger: { type: 'string' },
      service: { type: 'string', default: 'frontend' },
      limit: { type: 'string', default: '100' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let limit: number;
  try {
    limit = parseWholeNumberFlag('limit', values.limit);
  } catch (error) {
    if (!(error instanceof FlagValueError)) throw error;
    console.error(`${error.message}\n${usage}`);
    return 2;
  }
  const source = await findJaeger(values.jaeger, process.env);
  try {
    const traces = await fetchTraces(source.url, values.service, limit);
    if (traces.length === 0) {
      console.error(
        `Jaeger at ${source.description} has no traces of service "${values.service}" in the last hour: ` +
          'make some visits first (npm run load).',
      );
      return 1;
    }
    const diagnosis = diagnose(traces);
    if (diagnosis.traces === 0) {
      console.error(
        `Jaeger at ${source.description} has ${traces.length} trace${traces.length === 1 ? '' : 's'} of service "${values.service}" in the last ` +
          'hour, but none is whole yet: their spans may still be queued in a function (OTEL_BSP_SCHEDULE_DELAY), ' +
          'or a part of the visit is not traced. npm run load waits for its visits; or run diagnose again shortly.',
      );
      return 1;
    }
    if (diagnosis.incompleteTraces > 0) {
      console.error(
        `${diagnosis.incompleteTraces} of the ${traces.length} traces are not whole yet (spans still on their way, ` +
          `or lost): the diagnosis reads the ${diagnosis.traces} whole ones.`,
      );
    }
    if (values.json) {
      console.log(JSON.stringify({ service: values.service, jaeger: source.description, ...diagnosis }, null, 2));
    } else {
      const slowest = traces.find((trace) => trace.traceID === diagnosis.slowestTrace?.traceId);
      console.log(renderDiagnosis(diagnosis, slowest, `${source.description}, service "${values.service}"`));
    }
    return 0;
  } finally {
    await source.close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const plain = error instanceof JaegerNotFoundError || error instanceof JaegerQueryError || error instanceof TypeError;
  console.error(plain ? (error as Error).message : error);
  process.exitCode = 1;
}
