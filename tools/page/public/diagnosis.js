// The diagnosis of `npm run diagnose`, computed by the server with the same modules: the verdict,
// the slowest trace, and the table of operations with each one's share of the critical path.
import { getJson, h, jaegerError, state } from './dom.js';

function render(section, diagnosis) {
  const title = h('h2', { id: 'diagnosis-title' }, 'Diagnosis');
  if (diagnosis.traces === 0) {
    section.replaceChildren(title, state('No visits to diagnose yet.', 'empty'));
    return;
  }
  const [verdict, spread] = diagnosis.verdict;
  const bottleneck = diagnosis.bottleneck;
  const isBottleneck = (row) => bottleneck && row[0] === bottleneck.service && row[1] === bottleneck.operation;
  const header = diagnosis.table.header;
  const table = h(
    'table',
    { class: 'operations' },
    h('caption', { class: 'visually-hidden' }, 'Operations, by their share of the critical path'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        header.map((title, column) => h('th', { scope: 'col', class: column >= 2 ? `num c${column}` : '' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      diagnosis.table.rows.map((row, index) => {
        const share = diagnosis.operations[index]?.criticalPathShare ?? 0;
        return h(
          'tr',
          { class: isBottleneck(row) ? 'bottleneck' : null },
          row.map((cell, column) =>
            h(
              'td',
              { class: column >= 2 ? `num c${column}` : '' },
              column === header.length - 1
                ? h('span', { class: 'share', style: { '--share': `${(100 * share).toFixed(1)}%` } }, cell)
                : cell,
            ),
          ),
        );
      }),
    ),
  );
  const slowest = diagnosis.slowestTrace;
  section.replaceChildren(
    title,
    verdict
      ? h(
          'p',
          { class: 'verdict', 'data-service': bottleneck.service, 'data-operation': bottleneck.operation },
          verdict,
        )
      : state('No step holds any of the critical path.', 'empty'),
    spread ? h('p', { class: bottleneck.variesWidely ? 'spread wide' : 'spread' }, spread) : null,
    slowest
      ? h(
          'p',
          { class: 'slowest' },
          `Across ${diagnosis.traces} traces; the slowest took ${diagnosis.slowestDuration}: `,
          h('a', { href: `/trace/${slowest.traceId}` }, 'open the slowest trace'),
        )
      : null,
    h('div', { class: 'scroll' }, table),
  );
}

/** Answers a function that refreshes the section once. */
export function showDiagnosis(section, query) {
  section.append(h('h2', { id: 'diagnosis-title' }, 'Diagnosis'), state('Reading Jaeger…'));
  let etag;
  return async () => {
    const answer = await getJson(`/api/diagnosis${query}`, etag);
    if (answer.error) {
      etag = undefined;
      section.replaceChildren(
        h('h2', { id: 'diagnosis-title' }, 'Diagnosis'),
        state(jaegerError(answer.error), 'error'),
      );
    } else if (!answer.unchanged) {
      etag = answer.etag;
      render(section, answer.body);
    }
  };
}
