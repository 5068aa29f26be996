// Run log: output printed (and logged) by nodes during runs started from the widget.

import { escapeBidi, h } from "./dom.js";

const MAX_LINES = 2000;

export function createLog() {
  const lines = h("pre", { class: "hn-log-lines", testid: "run-log", "aria-live": "polite" });
  const el = h(
    "details",
    { class: "hn-panel hn-log" },
    h("summary", { text: "Run output" }),
    lines,
    h("button", { testid: "log-clear", on: { click: () => lines.replaceChildren() } }, "Clear"),
  );
  return {
    el,
    add(stream, text) {
      el.open = true;
      lines.append(h("div", { class: `hn-log-${stream}`, text: escapeBidi(text) }));
      while (lines.childNodes.length > MAX_LINES) lines.firstChild.remove();
      lines.scrollTop = lines.scrollHeight;
    },
  };
}
