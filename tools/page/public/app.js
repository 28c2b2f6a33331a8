// Chooses the view from the address: /trace/<id> draws one trace, anything else the visits and the
// diagnosis; each view's modules are loaded only when it is shown. Every figure comes from the page's
// server; this only draws.
const main = document.getElementById('main');
const trace = /^\/trace\/([0-9a-f]{1,32})$/i.exec(location.pathname);
if (trace) {
  const { showTrace } = await import('./trace.js');
  showTrace(main, trace[1].toLowerCase());
} else {
  const { showVisits } = await import('./visits.js');
  showVisits(main, new URLSearchParams(location.search));
}
