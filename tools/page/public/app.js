// Chooses the view from the address: /trace/<id> draws one trace, anything else the visits and the
// diagnosis. Every figure comes from the page's server; this only draws.
import { showTrace } from './trace.js';
import { showVisits } from './visits.js';

const main = document.getElementById('main');
const trace = /^\/trace\/([0-9a-f]{1,32})$/i.exec(location.pathname);
if (trace) showTrace(main, trace[1].toLowerCase());
else showVisits(main, new URLSearchParams(location.search));
