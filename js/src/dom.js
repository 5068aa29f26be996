// @ts-check
// Tiny DOM builder. Text only ever goes through textContent / text nodes: payloads coming
// from the graph are never parsed as HTML.

/**
 * Create an element.
 * attrs: { class, testid, text, on: {event: fn}, ...other attributes }
 * children: nodes or strings (strings become text nodes), null/false skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "testid") el.dataset.testid = value;
    else if (key === "text") el.textContent = String(value);
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === "value") el.value = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

/** Replace all children of el. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Parse JSON typed by a user: {ok, value} or {ok: false, error}. */
export function parseJSON(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `Invalid JSON: ${err instanceof Error ? err.message : err}` };
  }
}

// Bidirectional controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM) would
// reorder the text around them (the "Trojan Source" trick): shown as \uXXXX escapes instead.
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/** JSON text with bidi controls escaped: still valid JSON that parses to the same value. */
export function escapeBidi(text) {
  return text.replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function pretty(value) {
  return escapeBidi(JSON.stringify(value, null, 2));
}

export function shortId(id) {
  return id ? String(id).slice(-8) : "—";
}
