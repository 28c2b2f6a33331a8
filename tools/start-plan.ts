// What `npm start` runs, decided from the environment alone, so that it can be tested without running it.

export const FRONTEND_PORT = 8080;
export const BACKEND_PORT = 8081;

export interface StartPlan {
  /** Start a local Jaeger: not when tracing is off or spans go to a collector of the user's. */
  startJaeger: boolean;
  /** Start the backend: not when COUNTER_ENDPOINT names another one. */
  startBackend: boolean;
  counterEndpoint: string;
  /** Why a part is not started, for the start-up summary. */
  notes: string[];
}

export function planStart(env: NodeJS.ProcessEnv): StartPlan {
  const notes: string[] = [];
  const tracingOff = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const collector = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (tracingOff) notes.push('OTEL_SDK_DISABLED=true: tracing is off, so no Jaeger is started.');
  else if (collector) notes.push(`Spans go to ${collector}, so no local Jaeger is started.`);
  const counterEndpoint = env.COUNTER_ENDPOINT || `http://localhost:${BACKEND_PORT}`;
  if (env.COUNTER_ENDPOINT) notes.push(`COUNTER_ENDPOINT=${env.COUNTER_ENDPOINT}: the frontend uses that backend.`);
  return {
    startJaeger: !tracingOff && !collector,
    startBackend: !env.COUNTER_ENDPOINT,
    counterEndpoint,
    notes,
  };
}
