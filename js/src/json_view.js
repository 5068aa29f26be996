// @ts-check
// Readable, collapsible JSON: nested objects/arrays as <details>, leaves as text.

import { escapeBidi, h } from "./dom.js";

const OPEN_DEPTH = 2;

export function jsonView(value, { testid = "json-view" } = {}) {
  return h("div", { class: "hn-json", testid }, node(value, null, 0));
}

function node(value, key, depth) {
  const label = key === null ? null : h("span", { class: "hn-json-key", text: `${escapeBidi(String(key))}: ` });
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const brackets = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
    const details = h("details", depth < OPEN_DEPTH ? { open: true } : {});
    details.append(h("summary", {}, label, h("span", { class: "hn-json-type", text: brackets })));
    for (const [k, v] of entries) details.append(node(v, k, depth + 1));
    return details;
  }
  return h("div", { class: "hn-json-leaf" }, label, h("span", { class: `hn-json-${typeof value}`, text: escapeBidi(JSON.stringify(value)) }));
}
