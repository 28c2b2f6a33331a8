// Generated from functions/lib/span-tally.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// How many spans a process ended and how many its exporter delivered: said once, when it stops, so that
// a lost span is a number in the log, not a guess (`npm run bench` counts spans created this way).
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';

/** @opentelemetry/api's TraceFlags.SAMPLED: only sampled spans go on to the exporter. */
const SAMPLED = 1;

/** Counts the sampled spans that end; list it beside the processor that exports them. */
export class SpanTally implements SpanProcessor {
  ended = 0;

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (span.spanContext().traceFlags & SAMPLED) this.ended += 1;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Tally {
  ended: number;
  sent: number;
  /** Export requests that succeeded: `sent / exports` spans a request. */
  exports: number;
}

/** The line a process writes when it stops: `Spans at exit: N ended, M sent to the collector in K exports.` */
export function describeTally({ ended, sent, exports }: Tally): string {
  const lost = ended - sent;
  const requests = `${exports} export${exports === 1 ? '' : 's'}`;
  return `Spans at exit: ${ended} ended, ${sent} sent to the collector in ${requests}${lost > 0 ? `, ${lost} not sent` : ''}.`;
}

/** Reads that line back (the benchmark's count of spans created): undefined when there is none. */
export function parseTally(output: string): Tally | undefined {
  const match = /Spans at exit: (\d+) ended, (\d+) sent to the collector in (\d+) exports?/.exec(output);
  return match ? { ended: Number(match[1]), sent: Number(match[2]), exports: Number(match[3]) } : undefined;
}
