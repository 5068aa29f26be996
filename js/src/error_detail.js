// @ts-check
// The last node error in detail: which node, the exception, and its traceback folded
// away (open it when you need it). Text only: tracebacks quote user data.

import { h, replaceChildren } from "./dom.js";

export function createErrorDetail({ model }) {
  const el = h("div", { class: "hn-error-detail", testid: "error-detail", role: "alert" });

  function render() {
    const detail = model.get("error_detail") ?? {};
    el.hidden = !detail.type;
    if (!detail.type) return replaceChildren(el);
    replaceChildren(
      el,
      h("div", { class: "hn-error", testid: "error-headline" }, detail.node ? `${detail.type} in node ${detail.node}: ${detail.message}` : `${detail.type}: ${detail.message}`),
      h("details", { class: "hn-traceback", testid: "error-traceback" }, h("summary", { text: "Traceback" }), h("pre", { class: "hn-code", text: detail.traceback ?? "" })),
    );
  }

  model.on("change:error_detail", render);
  render();
  return { el };
}
