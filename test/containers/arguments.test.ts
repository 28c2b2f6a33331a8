// The podman command line of a function's container: the manifest's environment, with what the local
// system puts in place of the cluster's (here: the Jaeger the remote sampler asks). No container runs.
import test from 'ava';
import { containerArguments } from '../../tools/containers/run.ts';

const envOf = (args: string[]) =>
  Object.fromEntries(
    args.flatMap((arg, index) => {
      const value = args[index + 1];
      if (arg !== '--env' || value === undefined) return [];
      return [[value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)]];
    }),
  );

test("the manifest's remote sampler asks the given Jaeger, reached from the container, its other settings kept", async (t) => {
  const local = await containerArguments('frontend', 'x', {
    port: 1,
    env: {},
    samplingEndpoint: 'http://localhost:45778',
  });
  t.is(envOf(local).OTEL_TRACES_SAMPLER, 'parentbased_jaeger_remote');
  t.is(
    envOf(local).OTEL_TRACES_SAMPLER_ARG,
    'endpoint=http://10.0.2.2:45778,pollingIntervalMs=60000,initialSamplingRate=1',
  );
  const asWritten = await containerArguments('frontend', 'x', { port: 1, env: {} });
  t.regex(
    envOf(asWritten).OTEL_TRACES_SAMPLER_ARG ?? '',
    /^endpoint=http:\/\/jaeger-collector\.observability\.svc\.cluster\.local:5778,/,
  );
});
