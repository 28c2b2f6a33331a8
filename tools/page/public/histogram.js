// The latency histogram as SVG, drawn at the width it has (redrawn when that changes), so that its
// text keeps its size on a phone. Bins and labels come from the server.
import { svg } from './dom.js';

const HEIGHT = 160;
const AXIS = 22;
const TOP = 18;

function draw(element, bins, width) {
  const fullest = Math.max(1, ...bins.map((bin) => bin.count));
  const slot = width / bins.length;
  const bars = bins.map((bin, index) => {
    const height = ((HEIGHT - AXIS - TOP) * bin.count) / fullest;
    const x = index * slot;
    const y = HEIGHT - AXIS - height;
    return svg(
      'g',
      { class: 'bin' },
      svg('title', {}, `${bin.fromLabel} – ${bin.toLabel}: ${bin.count} visits`),
      svg('rect', { x: x + 1, y, width: Math.max(1, slot - 2), height, rx: 2 }),
      bin.count > 0 ? svg('text', { x: x + slot / 2, y: y - 4, 'text-anchor': 'middle' }, String(bin.count)) : [],
    );
  });
  // Bounds under the first bin, the middle one and the last, as many as fit.
  const every = Math.max(1, Math.ceil(bins.length / Math.max(2, Math.floor(width / 90))));
  const ticks = bins.flatMap((bin, index) =>
    index % every === 0 && index * slot + 150 < width
      ? [svg('text', { x: index * slot + 2, y: HEIGHT - AXIS + 16 }, bin.fromLabel)]
      : [],
  );
  const last = bins.at(-1);
  const end = svg('text', { x: width - 2, y: HEIGHT - AXIS + 16, 'text-anchor': 'end' }, last ? last.toLabel : '');
  const axis = svg('line', { x1: 0, x2: width, y1: HEIGHT - AXIS, y2: HEIGHT - AXIS, class: 'baseline' });
  element.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
  element.replaceChildren(...bars, axis, ...ticks, end);
}

export function drawHistogram(bins) {
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  const element = svg('svg', {
    class: 'histogram-chart',
    role: 'img',
    height: HEIGHT,
    'aria-label': `Histogram of ${total} visit durations, from ${bins[0]?.fromLabel} to ${bins.at(-1)?.toLabel}`,
  });
  let drawnWidth = 0;
  const redraw = (width) => {
    const rounded = Math.max(200, Math.round(width));
    if (rounded === drawnWidth) return;
    drawnWidth = rounded;
    draw(element, bins, rounded);
  };
  draw(element, bins, 600);
  new ResizeObserver(([entry]) => redraw(entry.contentRect.width)).observe(element);
  return element;
}
