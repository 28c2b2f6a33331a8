// The table of cold starts through the activator: medians and the ratio per mode, every run shown,
// a failed visit marked rather than averaged in.
import test from 'ava';
import { renderActivatorTable } from '../../tools/bench/activator-report.ts';

test('medians, fastest and each run, per mode, with the ratio on / off', (t) => {
  const table = renderActivatorTable([
    { tracing: true, ms: 4400, status: 200 },
    { tracing: false, ms: 4000, status: 200 },
    { tracing: true, ms: 4500, status: 200 },
    { tracing: false, ms: 3900, status: 503 },
  ]);
  t.regex(table, /cold start through the activator, median \|\s+4\.00 s \|\s+4\.40 s \|\s+1\.10× \|/);
  t.regex(table, /each run\s+\|\s+4\.00 s, 503! \|\s+4\.40 s, 4\.50 s \|/);
});

test('no runs of a mode: dashes, no ratio', (t) => {
  const table = renderActivatorTable([{ tracing: true, ms: 4400, status: 200 }]);
  t.regex(table, /median \|\s+– \|\s+4\.40 s \|\s+– \|/);
});
