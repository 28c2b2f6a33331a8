import test from 'ava';
import { drawHistogram, histogram, percentile, summarize } from '../tools/report/stats.ts';

test('percentile is nearest-rank', (t) => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  t.is(percentile(values, 50), 5);
  t.is(percentile(values, 95), 10);
  t.is(percentile(values, 0), 1);
  t.is(percentile(values, 100), 10);
  t.is(percentile([], 50), undefined);
});

test('summarize gives the spread of the values', (t) => {
  t.deepEqual(summarize([3, 1, 2]), { count: 3, min: 1, p50: 2, p95: 3, p99: 3, max: 3, mean: 2 });
  t.is(summarize([]), undefined);
});

test('histogram puts every value in one of equal bins, the largest in the last', (t) => {
  const bins = histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5);
  t.deepEqual(
    bins.map((bin) => bin.count),
    [2, 2, 2, 2, 3],
  );
  t.is(
    bins.reduce((sum, bin) => sum + bin.count, 0),
    11,
  );
  t.deepEqual(histogram([7, 7, 7]), [{ from: 7, to: 8, count: 3 }]);
});

test('drawHistogram scales bars to the fullest bin', (t) => {
  const drawn = drawHistogram(
    [
      { from: 0, to: 1, count: 4 },
      { from: 1, to: 2, count: 1 },
      { from: 2, to: 3, count: 0 },
    ],
    (value) => `${value}s`,
    8,
  );
  t.is(drawn, ['0s – 1s │████████ 4', '1s – 2s │██       1', '2s – 3s │         0'].join('\n'));
});
