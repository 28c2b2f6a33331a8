// The table of cold starts through Knative's activator: each mode's runs, the median and fastest of
// those answered 200, and the ratio.
import { formatMs } from '../report/durations.ts';
import { percentile } from '../report/stats.ts';
import { renderTable } from '../report/table.ts';
import type { ActivatorColdStart } from './activator.ts';

export function renderActivatorTable(coldStarts: readonly ActivatorColdStart[]): string {
  const of = (tracing: boolean) => coldStarts.filter((coldStart) => coldStart.tracing === tracing);
  const answered = (tracing: boolean) => of(tracing).filter((coldStart) => coldStart.status === 200);
  const median = (tracing: boolean) =>
    percentile(
      answered(tracing).map((coldStart) => coldStart.ms),
      50,
    );
  const runs = (tracing: boolean) =>
    of(tracing)
      .map((coldStart) => (coldStart.status === 200 ? formatMs(coldStart.ms) : `${coldStart.status}!`))
      .join(', ');
  const fastest = (tracing: boolean) => {
    const times = answered(tracing).map((coldStart) => coldStart.ms);
    return times.length === 0 ? '–' : formatMs(Math.min(...times));
  };
  const on = median(true);
  const off = median(false);
  const ratio = on !== undefined && off ? `${(on / off).toFixed(2)}×` : '–';
  return renderTable(
    [
      { title: 'measure' },
      { title: 'tracing off', right: true },
      { title: 'tracing on', right: true },
      { title: 'on / off', right: true },
    ],
    [
      [
        'cold start through the activator, median',
        off === undefined ? '–' : formatMs(off),
        on === undefined ? '–' : formatMs(on),
        ratio,
      ],
      ['  fastest', fastest(false), fastest(true), ''],
      ['  each run', runs(false), runs(true), ''],
    ],
  );
}
