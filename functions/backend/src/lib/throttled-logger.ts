// Generated from functions/lib/throttled-logger.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// A diag logger that writes at most one line per interval, so a collector that is down for an hour
// costs a few log lines, not one per failed export. The count of dropped lines is reported.
import type { DiagLogger } from '@opentelemetry/api';

export interface ThrottleOptions {
  intervalMs: number;
  now?: () => number;
}

type Sink = (message: string) => void;

export function createThrottledLogger(write: Sink, { intervalMs, now = Date.now }: ThrottleOptions): DiagLogger {
  let nextAllowedAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;

  const log =
    (level: string) =>
    (message: string, ...args: unknown[]): void => {
      const time = now();
      if (time < nextAllowedAt) {
        suppressed += 1;
        return;
      }
      nextAllowedAt = time + intervalMs;
      const details = args.map(describe).join(' ');
      const dropped = suppressed > 0 ? ` (${suppressed} similar messages suppressed)` : '';
      suppressed = 0;
      write(`opentelemetry ${level}: ${summarize(message)}${details ? ` ${details}` : ''}${dropped}`);
    };

  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    verbose: log('verbose'),
  };
}

// The SDK's error handler passes errors as JSON with their stack: keep the one line that says what failed.
function summarize(message: string): string {
  if (!message.startsWith('{')) return message;
  try {
    const parsed: unknown = JSON.parse(message);
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') {
      return parsed.message;
    }
  } catch {
    // Not JSON after all: keep it as it is.
  }
  return message;
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
