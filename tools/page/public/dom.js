// Small helpers to build the page from data without innerHTML, so no trace attribute becomes markup.

/**
 * An element: h('a', { href: '/x', class: 'y' }, 'text', child). Attributes that are null are left out;
 * `style` is an object of properties: { '--share': '40%' }.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  element.append(
    ...children
      .flat(Number.POSITIVE_INFINITY)
      .filter((child) => child !== null && child !== undefined && child !== false),
  );
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  setAttributes(element, attributes);
  element.append(...children.flat(Number.POSITIVE_INFINITY));
  return element;
}

// Styles go through the CSSOM, which the page's Content-Security-Policy allows; a style attribute it refuses.
function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'style') {
      for (const [property, setting] of Object.entries(value)) element.style.setProperty(property, setting);
    } else if (value !== null && value !== undefined && value !== false) {
      element.setAttribute(name, String(value));
    }
  }
}

/** A state message (empty, waiting, error) in place of the content it stands for. */
export function state(message, kind = 'info') {
  return h('p', { class: `state ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
}

/**
 * GET a JSON answer of the page's server. With the ETag of the last answer, a 304 answers
 * { unchanged: true }. Failures answer { error } with the server's message, or why it did not answer.
 */
export async function getJson(url, etag) {
  let response;
  try {
    response = await fetch(url, { headers: etag ? { 'if-none-match': etag } : {} });
  } catch (error) {
    return { status: 0, error: `The page's server does not answer (${error.message}): is npm start still running?` };
  }
  if (response.status === 304) return { status: 304, unchanged: true };
  const body = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) return { status: response.status, error: body.error ?? `${response.status}` };
  return { status: response.status, body, etag: response.headers.get('etag') };
}

/** The address of Jaeger (or of the page's server) shown in the header. */
export function showSource(jaeger, service) {
  const source = document.getElementById('source');
  if (source) source.textContent = `Jaeger ${jaeger} · service ${service}`;
}

/** A Jaeger failure as the page says it: "Jaeger unreachable: ...". */
export function jaegerError(message) {
  return message.replace(/^Jaeger is unreachable: /, 'Jaeger unreachable: ');
}
