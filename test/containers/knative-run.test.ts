// Each image run as Knative runs its container (tools/containers/run.ts reads knative/*.yaml): a
// read-only root filesystem, user 1000, no capabilities, no privilege escalation, the 256 MiB memory
// limit, PORT=8080 and the K_* variables; traced into a real Jaeger on this machine.
import test from 'ava';
import { podman, podmanOk } from '../../tools/containers/podman.ts';
import { type RunningContainer, startFunctionContainer } from '../../tools/containers/run.ts';
import { countReceivedRequests } from '../../tools/faults/in-flight.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { waitFor } from '../../tools/processes/process.ts';
import { tag, traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { startTestJaeger, startTestSystem } from '../helpers/system.ts';

const SPANS_PER_VISIT = 8;

test('a visit from the frontend container to the backend container is one whole trace; both start clean', async (t) => {
  const { jaeger, frontend, backend } = await startTestSystem(t, {
    entry: 'container',
    backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '10' },
  });
  const response = await fetch(frontend.url);
  t.is(await response.text(), "Hello, World!\n\nYou're visitor number 1 in here!\n\n");
  const trace = await waitForTrace(
    jaeger?.queryUrl ?? '',
    traceIdOf(response.headers.get('traceresponse')),
    SPANS_PER_VISIT,
  );
  t.is(trace.spans.length, SPANS_PER_VISIT);
  const services = Object.values(trace.processes).map((process) => {
    const tags = (process as unknown as { tags: { key: string; value: unknown }[] }).tags;
    const value = (key: string) => tags.find((entry) => entry.key === key)?.value;
    return `${process.serviceName} ${value('faas.name')} ${value('faas.version')}`;
  });
  t.deepEqual(services.sort(), ['backend backend backend-00001', 'frontend frontend frontend-00001']);
  // A clean start: each container said it listens, and nothing else (no SDK warning to wonder about;
  // the backend, Revision backend-00001, the first, asks no predecessor for the count).
  t.is(backend.child.output(), 'backend listening on http://localhost:8080/\n');
  t.is(frontend.child.output(), 'frontend listening on http://localhost:8080/\n');
});

test('the containers run with what knative/ gives them, and cannot write their root filesystem', async (t) => {
  const { backend } = await startTestSystem(t, { entry: 'container', tracing: false });
  const name = (backend as RunningContainer).containerName;
  const [inspected] = JSON.parse(await podmanOk(['container', 'inspect', name])) as {
    Config: { User: string; Env: string[] };
    HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[]; SecurityOpt: string[]; Memory: number };
    EffectiveCaps: string[] | null;
  }[];
  if (!inspected) throw new Error(`podman knows no container ${name}`);
  t.is(inspected.Config.User, '1000');
  t.true(inspected.HostConfig.ReadonlyRootfs);
  t.deepEqual(inspected.EffectiveCaps ?? [], []);
  t.true(inspected.HostConfig.SecurityOpt.includes('no-new-privileges'));
  t.is(inspected.HostConfig.Memory, 256 * 1024 * 1024);
  for (const variable of ['PORT=8080', 'K_SERVICE=backend', 'K_CONFIGURATION=backend', 'K_REVISION=backend-00001']) {
    t.true(inspected.Config.Env.includes(variable), variable);
  }
  const write = await podman(['exec', name, 'node', '-e', "require('node:fs').writeFileSync('/app/x', '1')"]);
  t.not(write.code, 0);
  t.regex(write.output, /EROFS: read-only file system/);
});

test('podman stop while visits are in flight: each is answered, its spans reach Jaeger, both exit 0', async (t) => {
  const visits = 10;
  const jaeger = await startTestJaeger(t);
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const started: RunningContainer[] = [];
  t.teardown(() => Promise.all(started.map((container) => container.stop('SIGKILL'))));
  // The backend reports each request it receives (tools/faults/request-probe.ts, mounted read-only).
  const backend = await startFunctionContainer('backend', {
    port: await findFreePort(),
    env: { ...telemetry, LAG_MIN_MS: '1500', LAG_MAX_MS: '2000' },
    requestProbe: true,
  });
  started.push(backend);
  const increases = countReceivedRequests(backend.child, 'POST');
  const frontend = await startFunctionContainer('frontend', {
    port: await findFreePort(),
    env: { ...telemetry, COUNTER_ENDPOINT: backend.url },
  });
  started.push(frontend);
  const answers = Array.from({ length: visits }, async () => {
    const response = await fetch(frontend.url);
    return {
      status: response.status,
      text: await response.text(),
      traceResponse: response.headers.get('traceresponse'),
    };
  });
  // In flight: the backend has received every visit's increase, which waits out the lag.
  await waitFor(`the backend to receive ${visits} increases`, async () => (increases() >= visits ? true : undefined), {
    timeoutMs: 10_000,
    child: backend.child,
  });
  const stopped = Date.now();
  await Promise.all([frontend.stop('SIGTERM'), backend.stop('SIGTERM')]);
  t.log(`both containers stopped ${Date.now() - stopped} ms after SIGTERM`);
  const results = await Promise.all(answers);
  t.deepEqual(
    results.map((result) => result.status),
    Array.from({ length: visits }, () => 200),
  );
  const numbers = results.map((result) => Number(/visitor number (\d+)/.exec(result.text)?.[1])).sort((a, b) => a - b);
  t.deepEqual(
    numbers,
    Array.from({ length: visits }, (_, index) => index + 1),
  );
  t.is((await frontend.exited).code, 0);
  t.is((await backend.exited).code, 0);
  for (const result of results) {
    const trace = await waitForTrace(jaeger.queryUrl, traceIdOf(result.traceResponse), SPANS_PER_VISIT);
    t.is(trace.spans.length, SPANS_PER_VISIT);
    t.truthy(
      trace.spans.find((span) => span.operationName === 'simulate lag' && Number(tag(span, 'lag.duration_ms')) >= 1500),
    );
  }
});
