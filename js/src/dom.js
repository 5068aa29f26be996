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

/** Parse JSON typed by a user: {ok, value} or {ok: false, error} naming where it breaks
 * (`offset`, 1-based `line` and `column`). */
export function parseJSON(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // JSON.parse's messages do not always say where: the text is scanned for the place.
    let offset = jsonErrorOffset(text);
    if (offset < 0) offset = text.length;
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return { ok: false, error: `Invalid JSON at line ${line}, column ${column}: ${message}`, offset, line, column };
  }
}

const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const JSON_SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** Offset of the first character where `text` stops being JSON (-1: it is JSON). Iterative,
 * so deep nesting cannot overflow the stack. */
export function jsonErrorOffset(text) {
  let i = 0;
  const match = (re) => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  const space = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  };
  const key = () => match(JSON_STRING) && (space(), text[i] === ":") && (i++, true);
  const stack = [];
  let wantValue = true;
  for (;;) {
    space();
    if (wantValue) {
      const open = text[i];
      if (open === "{" || open === "[") {
        i++;
        space();
        if (text[i] === (open === "{" ? "}" : "]")) {
          i++;
          wantValue = false;
        } else {
          stack.push(open);
          if (open === "{" && !key()) return i;
        }
      } else if (match(JSON_STRING) || match(JSON_SCALAR)) wantValue = false;
      else return i;
      continue;
    }
    if (!stack.length) return i < text.length ? i : -1;
    const top = stack[stack.length - 1];
    if (text[i] === ",") {
      i++;
      space();
      if (top === "{" && !key()) return i;
      wantValue = true;
    } else if (text[i] === (top === "{" ? "}" : "]")) {
      i++;
      stack.pop();
    } else return i;
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
