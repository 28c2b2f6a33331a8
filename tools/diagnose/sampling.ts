// How many visits some traces stand for. A root span sampled with probability p (Jaeger's tag
// sampler.param, which the functions' samplers record: docs/sampling.md) stands for about 1/p visits:
// most visits of a sampled service made no trace at all. A root span without the tag (the functions'
// default sampler, or a root another tracer made, such as Traefik's on a cluster) says nothing.
import { type JaegerTrace, parentOf, tagOf } from '../jaeger/query.ts';

export interface SamplingEstimate {
  /** Traces whose root span recorded the probability it was sampled at. */
  known: number;
  /** Traces whose root span did not. */
  unknown: number;
  /** The visits the known traces stand for: the sum of 1/p over them. */
  visits: number;
  /** The smallest and largest probability seen, when any was. */
  probabilities?: { min: number; max: number };
}

/** The probability the trace's root span was sampled at, if it says. */
export function rootProbability(trace: JaegerTrace): number | undefined {
  const root = trace.spans.find((span) => !parentOf(trace, span));
  if (!root || tagOf(root, 'sampler.type') !== 'probabilistic') return undefined;
  const param = Number(tagOf(root, 'sampler.param'));
  return Number.isFinite(param) && param > 0 && param <= 1 ? param : undefined;
}

export function estimateVisits(traces: readonly JaegerTrace[]): SamplingEstimate {
  const probabilities = traces.map(rootProbability);
  const known = probabilities.filter((probability): probability is number => probability !== undefined);
  return {
    known: known.length,
    unknown: probabilities.length - known.length,
    visits: known.reduce((sum, probability) => sum + 1 / probability, 0),
    ...(known.length > 0 ? { probabilities: { min: Math.min(...known), max: Math.max(...known) } } : {}),
  };
}

const percent = (probability: number) => `${Number((100 * probability).toPrecision(3))} %`;

/** The line of the diagnosis that says how many visits its traces stand for. */
export function samplingLine({ known, unknown, visits, probabilities }: SamplingEstimate): string {
  const total = known + unknown;
  const traces = `${total} trace${total === 1 ? '' : 's'}`;
  if (!probabilities) {
    return `How many visits these ${traces} stand for is unknown: their root spans record no sampling probability (sampler.param; the functions record it when OTEL_TRACES_SAMPLER is set).`;
  }
  const at =
    probabilities.min === probabilities.max
      ? percent(probabilities.min)
      : `${percent(probabilities.min)} to ${percent(probabilities.max)}`;
  const about = Math.round(visits);
  if (unknown === 0) {
    return `These ${traces} stand for about ${about} visit${about === 1 ? '' : 's'}: their root spans were sampled at ${at} (sampler.param).`;
  }
  return `${known} of these ${traces} stand for about ${about} visit${about === 1 ? '' : 's'} (sampled at ${at}, by sampler.param); the other ${unknown} record no sampling probability, so what they stand for is unknown.`;
}
