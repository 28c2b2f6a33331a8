// The visits view: the latency histogram and the list of recent visits (newest first), with the
// diagnosis beside them; both polled, and redrawn only when the server's answer changed (ETag).
import { showDiagnosis } from './diagnosis.js';
import { getJson, h, jaegerError, showSource, state } from './dom.js';
import { drawHistogram } from './histogram.js';

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hour12: false,
});

function visitRow(visit, slowestMs) {
  const share = slowestMs > 0 ? (100 * visit.durationMs) / slowestMs : 0;
  const outcome = visit.error ? 'error' : 'ok';
  return h(
    'tr',
    { 'data-trace-id': visit.traceId, 'data-status': visit.status ?? '', class: outcome },
    h(
      'td',
      { class: 'time' },
      h('a', { href: `/trace/${visit.traceId}`, title: `trace ${visit.traceId}` }, timeFormat.format(visit.startMs)),
    ),
    h(
      'td',
      { class: 'duration num' },
      h('span', { class: 'spark', style: { '--share': `${share.toFixed(1)}%` }, 'aria-hidden': 'true' }),
      visit.duration,
    ),
    h(
      'td',
      { class: 'status' },
      h('span', { class: `badge ${outcome}` }, visit.status ?? (visit.error ? 'error' : '—')),
    ),
    h('td', { class: 'visitor num' }, visit.visitor === undefined ? '—' : `#${visit.visitor}`),
  );
}

function visitsTable(visits) {
  const slowestMs = Math.max(0, ...visits.map((visit) => visit.durationMs));
  const body = h('tbody');
  const rows = document.createDocumentFragment();
  for (const visit of visits) rows.append(visitRow(visit, slowestMs));
  body.append(rows);
  return h(
    'table',
    { class: 'visits' },
    h('caption', { class: 'visually-hidden' }, 'Recent visits, newest first; each time opens its trace'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'time'),
        h('th', { scope: 'col', class: 'num' }, 'duration'),
        h('th', { scope: 'col' }, 'status'),
        h('th', { scope: 'col', class: 'num' }, 'visitor'),
      ),
    ),
    body,
  );
}

function render(section, answer) {
  const { visits, histogram, frontendUrl } = answer;
  const title = h('h2', { id: 'visits-title' }, 'Visits ', h('span', { class: 'count' }, String(visits.length)));
  if (visits.length === 0) {
    const target = (frontendUrl ?? 'http://localhost:8080').replace(/^http:\/\//, '');
    section.replaceChildren(
      title,
      state(`No visits yet: curl ${target} (or npm run load), and they appear here.`, 'empty'),
    );
    return;
  }
  // Keep the keyboard where it was: the same visit's link, after the redraw.
  const focused = document.activeElement?.closest?.('tr')?.dataset.traceId;
  section.replaceChildren(
    title,
    h(
      'figure',
      { class: 'histogram' },
      drawHistogram(histogram),
      h('figcaption', {}, `Latency of the last ${visits.length} visits`),
    ),
    visitsTable(visits),
  );
  if (focused) section.querySelector(`tr[data-trace-id="${focused}"] a`)?.focus();
}

export function showVisits(main, params) {
  const limit = params.get('limit');
  const refreshMs = Number(params.get('refresh') ?? 2000);
  const query = limit ? `?limit=${encodeURIComponent(limit)}` : '';
  const visits = h('section', { id: 'visits', class: 'panel', 'aria-labelledby': 'visits-title' });
  const diagnosis = h('section', { id: 'diagnosis', class: 'panel', 'aria-labelledby': 'diagnosis-title' });
  visits.append(h('h2', { id: 'visits-title' }, 'Visits'), state('Reading Jaeger…'));
  main.replaceChildren(h('div', { class: 'overview' }, visits, diagnosis));
  main.setAttribute('aria-busy', 'true');

  let etag;
  let first = true;
  const poll = async () => {
    const answer = await getJson(`/api/visits${query}`, etag);
    if (answer.error) {
      etag = undefined;
      visits.replaceChildren(h('h2', { id: 'visits-title' }, 'Visits'), state(jaegerError(answer.error), 'error'));
    } else if (!answer.unchanged) {
      etag = answer.etag;
      showSource(answer.body.jaeger, answer.body.service);
      render(visits, answer.body);
      if (first) {
        first = false;
        main.removeAttribute('aria-busy');
        performance.mark('visits-rendered', { detail: { rows: answer.body.visits.length } });
      }
    }
  };
  const refreshDiagnosis = showDiagnosis(diagnosis, query);
  const loop = async () => {
    if (document.visibilityState !== 'hidden') await Promise.all([poll(), refreshDiagnosis()]);
    if (refreshMs > 0) setTimeout(loop, refreshMs);
  };
  void loop();
}
