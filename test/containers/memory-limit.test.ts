// A load at the manifests' memory limit (256 MiB), beside the same containers without it: no OOM
// kill, no failed visit. The figures are printed, not judged (see docs/containers.md).
import test from 'ava';
import { measureLoad } from '../../tools/bench/throughput.ts';
import { cgroupMemory, containerPid } from '../../tools/containers/memory.ts';
import { type RunningContainer, startFunctionContainer } from '../../tools/containers/run.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { startTestJaeger } from '../helpers/system.ts';

const CONNECTIONS = 64;
const SECONDS = 30;

async function loadContainers(t: import('ava').ExecutionContext, memoryLimit: boolean) {
  const jaeger = await startTestJaeger(t);
  const running: RunningContainer[] = [];
  t.teardown(() => Promise.all(running.map((container) => container.stop('SIGKILL'))));
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint };
  const backend = await startFunctionContainer('backend', {
    port: await findFreePort(),
    env: { ...telemetry, LAG_MIN_MS: '0', LAG_MAX_MS: '0' },
    memoryLimit,
  });
  running.push(backend);
  const frontend = await startFunctionContainer('frontend', {
    port: await findFreePort(),
    env: { ...telemetry, COUNTER_ENDPOINT: backend.url },
    memoryLimit,
  });
  running.push(frontend);
  const frontendPid = await containerPid(frontend.containerName);
  const backendPid = await containerPid(backend.containerName);
  const figures = await measureLoad(frontend.url, {
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: 0,
    pids: [frontendPid, backendPid],
  });
  const frontendMemory = await cgroupMemory(frontendPid);
  const backendMemory = await cgroupMemory(backendPid);
  return {
    figures,
    frontendMemory,
    backendMemory,
    stillRunning: !frontend.child.hasExited() && !backend.child.hasExited(),
  };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

test(`${CONNECTIONS} connections for ${SECONDS} s at the 256 MiB limit: no OOM kill, no failed visit`, async (t) => {
  const runs = { limited: await loadContainers(t, true), unlimited: await loadContainers(t, false) };
  for (const [name, run] of Object.entries(runs)) {
    const { figures, frontendMemory, backendMemory } = run;
    t.log(
      `${name.padEnd(9)}: ${figures.requestsPerSecond.toFixed(0)} visits/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms; ` +
        `peak memory (cgroup) frontend ${mb(frontendMemory.peakBytes)}, backend ${mb(backendMemory.peakBytes)}; ` +
        `peak RSS ${figures.peakRssMb.map((value) => `${value.toFixed(0)} MB`).join(' / ')}`,
    );
  }
  const { limited, unlimited } = runs;
  t.log(
    `limited / unlimited throughput: ${(limited.figures.requestsPerSecond / unlimited.figures.requestsPerSecond).toFixed(2)}×`,
  );
  t.is(limited.frontendMemory.limitBytes, 256 * 2 ** 20);
  t.is(limited.backendMemory.limitBytes, 256 * 2 ** 20);
  for (const run of [limited, unlimited]) {
    t.is(run.figures.failures, 0, 'no failed visit');
    t.true(run.figures.ok > 0);
    t.is(run.frontendMemory.oomKills + run.backendMemory.oomKills, 0, 'no OOM kill');
    t.true(run.stillRunning);
  }
});
