// Fault scenarios of what comes in: bad requests, bad configuration, and the security promises.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ENTRIES, functionCommand, functionDirectory, type ProcessEntry } from '../functions/run.ts';
import { fetchTrace } from '../jaeger/query.ts';
import { documentedKnCommands, readKnCommandsDocument } from '../kn/documented-commands.ts';
import { loadProjectManifests } from '../knative/manifests.ts';
import { cleanEnv, type Processes } from '../local/system.ts';
import { findFreePort } from '../processes/ports.ts';
import { spawnChild } from '../processes/process.ts';
import { rawRequest } from '../processes/raw-http.ts';
import { BAD_REQUESTS } from './bad-requests.ts';
import type { Row, Scenario } from './scenario.ts';
import { checkTraceContext, recordedTraces } from './trace-context.ts';
import { wholeTrace } from './whole-trace.ts';

export const badInput: Scenario = {
  name: 'bad input',
  run: async (processes) => {
    const rows: Row[] = [];
    const jaeger = await processes.jaeger();
    const contexts = BAD_REQUESTS.filter((bad) => bad.context !== undefined).length;
    for (const entry of ENTRIES) {
      const backend = await processes.fn(
        'backend',
        cleanEnv({
          LAG_MIN_MS: '0',
          LAG_MAX_MS: '0',
          OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
          OTEL_BSP_SCHEDULE_DELAY: '100',
        }),
        { entry },
      );
      const wrong: string[] = [];
      const unsampled: string[] = [];
      for (const { what, request, status, context } of BAD_REQUESTS) {
        const response = await rawRequest(backend.url, request);
        if (response.status !== status[entry]) wrong.push(`${what}: ${response.status}`);
        if (context === undefined) continue;
        const traceparent = request.headers?.traceparent;
        const differs = await checkTraceContext(jaeger.queryUrl, traceparent, response.headers.traceresponse, context);
        if (differs) wrong.push(`${what}: ${differs}`);
        if (context === 'unsampled') unsampled.push(/^00-([0-9a-f]{32})-/.exec(traceparent ?? '')?.[1] ?? '');
      }
      const recorded = await recordedTraces(jaeger.queryUrl, backend.url, unsampled);
      if (recorded.length > 0) wrong.push(`unsampled traces recorded: ${recorded.join(', ')}`);
      const counter = (await rawRequest(backend.url, {})).body.trim();
      rows.push({
        scenario: `bad requests (${entry})`,
        expected: `${BAD_REQUESTS.length} precise statuses, ${contexts} trace contexts; counter still 1`,
        observed: `${wrong.length === 0 ? 'all right' : `wrong: ${wrong.join('; ')}`}; counter ${counter}`,
        pass: wrong.length === 0 && counter === '1',
      });
    }
    const configs = [
      { LAG_MIN_MS: 'abc' },
      { LAG_MIN_MS: '500', LAG_MAX_MS: '100' },
      { LAG_MAX_MS: '-1' },
      { READ_DELAY_MS: 'x' },
      { COUNTER_STORE: 'redis' },
    ];
    let named = 0;
    for (const env of configs) {
      const [command = '', ...args] = functionCommand('faas');
      const child = spawnChild('backend', command, args, {
        cwd: functionDirectory('backend'),
        env: cleanEnv({ ...env, OTEL_SDK_DISABLED: 'true', FUNC_PORT: String(await findFreePort()) }),
      });
      const exit = await child.exited;
      const variable = Object.keys(env).at(-1) ?? '';
      if (exit.code === 1 && child.output().includes(`${variable} is "`)) named += 1;
    }
    const frontend = spawnChild('frontend', functionCommand('faas')[0] ?? '', functionCommand('faas').slice(1), {
      cwd: functionDirectory('frontend'),
      env: cleanEnv({ OTEL_SDK_DISABLED: 'true', FUNC_PORT: String(await findFreePort()) }),
    });
    if ((await frontend.exited).code === 1 && frontend.output().includes('COUNTER_ENDPOINT is not set')) named += 1;
    rows.push({
      scenario: 'bad configuration',
      expected: `${configs.length + 1} refused at start-up, variable named`,
      observed: `${named} refused and named`,
      pass: named === configs.length + 1,
    });
    return rows;
  },
};

/** What of a visit with a user agent and a query reaches Jaeger: the attributes and values that must not. */
async function userDataInSpans(processes: Processes, entry: ProcessEntry) {
  const { frontend, backend, jaeger } = await processes.tracedSystem({
    entry,
    backendEnv: { LAG_MIN_MS: '0', LAG_MAX_MS: '0' },
  });
  const response = await fetch(`${frontend.url}/?email=someone@example.com`, {
    headers: { 'user-agent': 'secret-agent/1.0' },
  });
  const traceId = /^00-([0-9a-f]{32})-/.exec(response.headers.get('traceresponse') ?? '')?.[1] ?? '';
  await wholeTrace(jaeger.queryUrl, traceId);
  const trace = await fetchTrace(jaeger.queryUrl, traceId);
  const keys = new Set(trace?.spans.flatMap((span) => span.tags.map((tag) => tag.key)));
  const text = JSON.stringify(trace ?? '');
  const leaked = [
    ...['client.address', 'client.port', 'network.peer.address', 'user_agent.original', 'url.query'].filter((key) =>
      keys.has(key),
    ),
    ...['secret-agent', 'someone@example.com'].filter((needle) => text.includes(needle)),
  ];
  // A trace that never arrived leaks nothing and proves nothing: the method must be there.
  return {
    leaked,
    httpAttributes: response.status === 200 && keys.has('http.request.method'),
    backendUrl: backend.url,
  };
}

export const security: Scenario = {
  name: 'security',
  run: async (processes) => {
    // The default path's objects and the Redis mode's (redis/), each once.
    const manifests = [
      ...(await loadProjectManifests()),
      ...(await loadProjectManifests(undefined, { counterStore: 'redis' })),
    ];
    const objects = [...new Map(manifests.map(({ file, object }) => [`${file} ${object.kind}`, object])).values()];
    const backendServices = objects.filter((object) => object.kind === 'Service' && object.metadata.name === 'backend');
    const func = parse(await readFile(join(functionDirectory('backend'), 'func.yaml'), 'utf8')) as {
      deploy: { labels: { key: string; value: string }[] };
    };
    const clusterLocal = [
      ...backendServices.map(
        (service) => service.metadata.labels?.['networking.knative.dev/visibility'] === 'cluster-local',
      ),
      func.deploy.labels.some(
        (label) => label.key === 'networking.knative.dev/visibility' && label.value === 'cluster-local',
      ),
      documentedKnCommands(await readKnCommandsDocument())
        .find((command) => command.name === 'backend')
        ?.text.includes('--cluster-local') === true,
    ];
    const dockerUsers = await Promise.all(
      (['backend', 'frontend'] as const).map(async (name) =>
        /^USER [1-9]\d*/m.test(await readFile(join(functionDirectory(name), 'Dockerfile'), 'utf8')),
      ),
    );
    // runAsNonRoot on the container, or on the pod for all its containers.
    interface PodSpec {
      securityContext?: { runAsNonRoot?: boolean };
      containers?: { securityContext?: { runAsNonRoot?: boolean } }[];
    }
    const pods = objects.flatMap((object) => {
      const pod = (object.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
      return pod ? [pod] : [];
    });
    const nonRoot = pods.filter((pod) =>
      (pod.containers ?? []).every(
        (container) => (container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true,
      ),
    );
    const privacy = [];
    for (const entry of ENTRIES) privacy.push({ entry, ...(await userDataInSpans(processes, entry)) });
    // The backend holds the count: every writing method but POST's (which takes no body) on each of
    // its paths must be refused, and the count must not move.
    const backendUrl = privacy[0]?.backendUrl ?? '';
    const countBefore = (await rawRequest(backendUrl, {})).body.trim();
    const resets: string[] = [];
    for (const path of ['/', '/api/counter']) {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const answer = await rawRequest(`${backendUrl}${path}`, { method, body: '0' });
        resets.push(`${method} ${path} ${answer.status}`);
      }
    }
    const countAfter = (await rawRequest(backendUrl, {})).body.trim();
    const refused = resets.every((reset) => / 40[45]$/.test(reset));
    return [
      {
        scenario: 'backend cluster-local',
        expected: 'in knative/, redis/, func.yaml and the kn command',
        observed: `${clusterLocal.filter(Boolean).length} of ${clusterLocal.length}`,
        pass: clusterLocal.length === 4 && clusterLocal.every(Boolean),
      },
      {
        scenario: 'containers non-root',
        expected: 'numeric USER in both Dockerfiles; runAsNonRoot everywhere',
        observed: `${dockerUsers.filter(Boolean).length} of 2 Dockerfiles; ${nonRoot.length} of ${pods.length} pod templates`,
        pass: dockerUsers.every(Boolean) && nonRoot.length === pods.length,
      },
      ...privacy.map(({ entry, leaked, httpAttributes }) => ({
        scenario: `no user data in spans (${entry})`,
        expected: 'no user agent, query or client address in the trace; the HTTP method stays',
        observed: `${leaked.length === 0 ? 'none found' : `found ${leaked.join(', ')}`}; ${httpAttributes ? 'method kept' : 'no http.request.method'}`,
        pass: leaked.length === 0 && httpAttributes,
      })),
      {
        scenario: 'no endpoint sets the counter',
        expected: "PUT, PATCH, DELETE on the backend's / and /api/counter refused; the count unchanged",
        observed: `${resets.join('; ')}; count ${countBefore} then ${countAfter}`,
        pass: refused && countBefore !== '' && countBefore === countAfter,
      },
    ];
  },
};
