// @ts-check
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
      const last = lines.lastChild;
      // A chat model's answer streams as "token" pieces: they continue one line.
      if (stream === "token" && last && last.classList.contains("hn-log-token")) {
        last.textContent += escapeBidi(text);
        lines.scrollTop = lines.scrollHeight;
        return;
      }
      lines.append(h("div", { class: `hn-log-${stream}`, text: escapeBidi(text) }));
      while (lines.childNodes.length > MAX_LINES) lines.firstChild.remove();
      lines.scrollTop = lines.scrollHeight;
    },
  };
}
