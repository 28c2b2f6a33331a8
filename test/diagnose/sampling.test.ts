// How many visits a diagnosis's traces stand for, from the probability each root span was sampled at.
import test from 'ava';
import { estimateVisits, rootProbability, samplingLine } from '../../tools/diagnose/sampling.ts';
import type { JaegerTrace } from '../../tools/jaeger/query.ts';
import { makeTrace } from '../helpers/traces.ts';

/** A visit's trace whose root (and, to show it is not read, its child) carries these sampler tags. */
function sampledAt(id: string, type: unknown, param: unknown): JaegerTrace {
  const trace = makeTrace(
    [
      ['root', 'GET /', 0, 100],
      ['child', 'GET', 10, 90, 'root'],
    ],
    id,
  );
  const tags = [
    { key: 'sampler.type', type: 'string', value: type },
    { key: 'sampler.param', type: 'float64', value: param },
  ];
  for (const span of trace.spans) if (type !== undefined) span.tags = tags;
  return trace;
}

test("the root span's probability, if it says one; not an unknown type, a bad number or none", (t) => {
  t.is(rootProbability(sampledAt('a', 'probabilistic', 0.1)), 0.1);
  t.is(rootProbability(sampledAt('b', 'probabilistic', '0.25')), 0.25);
  t.is(rootProbability(sampledAt('c', 'const', true)), undefined);
  t.is(rootProbability(sampledAt('d', 'probabilistic', 0)), undefined);
  t.is(rootProbability(sampledAt('e', 'probabilistic', 2)), undefined);
  t.is(rootProbability(sampledAt('f', undefined, undefined)), undefined);
});

test('twenty traces at 10 % stand for about 200 visits', (t) => {
  const estimate = estimateVisits(
    Array.from({ length: 20 }, (_, index) => sampledAt(`t${index}`, 'probabilistic', 0.1)),
  );
  t.deepEqual(estimate, { known: 20, unknown: 0, visits: 200, probabilities: { min: 0.1, max: 0.1 } });
  t.is(
    samplingLine(estimate),
    'These 20 traces stand for about 200 visits: their root spans were sampled at 10 % (sampler.param).',
  );
});

test('mixed probabilities add up visit by visit; traces that say none are counted apart', (t) => {
  const estimate = estimateVisits([
    sampledAt('a', 'probabilistic', 0.5),
    sampledAt('b', 'probabilistic', 1),
    sampledAt('c', undefined, undefined),
  ]);
  t.deepEqual(estimate, { known: 2, unknown: 1, visits: 3, probabilities: { min: 0.5, max: 1 } });
  t.is(
    samplingLine(estimate),
    '2 of these 3 traces stand for about 3 visits (sampled at 50 % to 100 %, by sampler.param); the other 1 record no sampling probability, so what they stand for is unknown.',
  );
});

test('none says: unknown, and said so', (t) => {
  const estimate = estimateVisits([sampledAt('a', undefined, undefined)]);
  t.deepEqual(estimate, { known: 0, unknown: 1, visits: 0 });
  t.regex(
    samplingLine(estimate),
    /^How many visits these 1 trace stand for is unknown: their root spans record no sampling probability/,
  );
});
