// One trace as a waterfall: a row per span (service, operation, duration, a bar on the trace's time
// line), the critical path marked ▶ and drawn darker on the bars, errors in red; each row opens to
// its attributes, events and resource. A trace that is not in Jaeger yet is waited for a while.
import { getJson, h, jaegerError, showSource, state } from './dom.js';

const WAIT_MS = 20_000;
const RETRY_MS = 1000;

const percent = (part, whole) => `${((100 * part) / Math.max(1, whole)).toFixed(3)}%`;

function pairs(title, entries) {
  if (entries.length === 0) return null;
  return h(
    'div',
    { class: 'pairs' },
    h('h4', {}, title),
    h(
      'dl',
      {},
      entries.map(({ key, value }) => [
        h('dt', {}, key),
        h('dd', {}, typeof value === 'string' ? value : JSON.stringify(value)),
      ]),
    ),
  );
}

function spanRow(span, totalUs) {
  const bar = h('span', {
    class: 'bar',
    style: { left: percent(span.offsetUs, totalUs), width: percent(span.durationUs, totalUs) },
  });
  const sections = span.sections.map((section) =>
    h('span', {
      class: 'path',
      style: { left: percent(section.startUs, totalUs), width: percent(section.endUs - section.startUs, totalUs) },
    }),
  );
  const label = `${span.service} ${span.operation}, ${span.duration}${span.critical ? ', on the critical path' : ''}${span.error ? ', error' : ''}`;
  return h(
    'li',
    {
      class: `span${span.critical ? ' critical' : ''}${span.error ? ' error' : ''}`,
      'data-span-id': span.spanId,
      'data-service': span.service,
      'data-operation': span.operation,
      'data-critical': String(span.critical),
      'data-error': String(span.error),
      style: { '--depth': String(span.depth) },
    },
    h(
      'details',
      {},
      h(
        'summary',
        { 'aria-label': label },
        h('span', { class: 'mark', title: span.critical ? 'on the critical path' : null }, span.critical ? '▶' : ''),
        h('span', { class: 'service' }, span.service),
        h(
          'span',
          { class: 'operation' },
          span.operation,
          span.error ? h('span', { class: 'badge error' }, 'error') : null,
        ),
        h('span', { class: 'duration num' }, span.duration),
        h('span', { class: 'track', 'aria-hidden': 'true' }, bar, sections),
      ),
      h(
        'div',
        { class: 'details' },
        pairs('Attributes', span.attributes),
        span.events.map((event) => pairs(`Event at +${(event.offsetUs / 1000).toFixed(3)} ms`, event.fields)),
        pairs('Resource', span.resource),
      ),
    ),
  );
}

function render(main, trace) {
  showSource(trace.jaeger, trace.service);
  const errors = trace.spans.filter((span) => span.error).length;
  const started = new Date(trace.startMs).toLocaleString(undefined, { hour12: false });
  main.replaceChildren(
    h(
      'section',
      { class: 'panel trace', 'aria-labelledby': 'trace-title' },
      h('p', {}, h('a', { href: '/' }, '← All visits')),
      h('h1', { id: 'trace-title' }, 'Trace ', h('code', {}, trace.traceId)),
      h(
        'p',
        { class: 'summary' },
        `${trace.duration} · ${trace.spans.length} spans · ${trace.services.join(', ')} · ${started}`,
        errors > 0 ? h('span', { class: 'badge error' }, `${errors} error${errors > 1 ? 's' : ''}`) : null,
      ),
      h(
        'p',
        { class: 'legend' },
        h('span', { class: 'mark' }, '▶'),
        ' the critical path (darker on the bars), ',
        h('span', { class: 'badge error' }, 'error'),
        ' a failed span. Open a row for its attributes.',
      ),
      h(
        'div',
        { class: 'timeline' },
        h(
          'div',
          { class: 'axis', 'aria-hidden': 'true' },
          h('span'),
          h('span'),
          h('span'),
          h('span'),
          h('span', { class: 'ends' }, h('span', {}, '0'), h('span', {}, trace.duration)),
        ),
        h(
          'ol',
          { class: 'waterfall', 'aria-label': 'Spans, parents before children' },
          trace.spans.map((span) => spanRow(span, trace.durationUs)),
        ),
      ),
    ),
  );
  performance.mark('trace-rendered', { detail: { spans: trace.spans.length } });
}

export async function showTrace(main, traceId) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const answer = await getJson(`/api/traces/${traceId}`);
    if (!answer.error) return render(main, answer.body);
    if (answer.status !== 404 || Date.now() > deadline) {
      main.replaceChildren(
        h(
          'section',
          { class: 'panel' },
          h('p', {}, h('a', { href: '/' }, '← All visits')),
          state(jaegerError(answer.error), 'error'),
        ),
      );
      return;
    }
    main.replaceChildren(
      h('section', { class: 'panel' }, state(`Waiting for trace ${traceId}: ${answer.error}`, 'waiting')),
    );
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
