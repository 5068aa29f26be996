// @ts-check
// The selected node: its last writes on this thread and its breakpoint toggles.

import { h, replaceChildren } from "./dom.js";
import { jsonView } from "./json_view.js";
import { ACTION, QUERY } from "./protocol.js";

export function createNodeDetail({ channel, model, onError }) {
  const el = h("div", { class: "hn-node-detail", testid: "node-detail" });
  let current = null;

  function toggle(when) {
    const input = h("input", { type: "checkbox", testid: `breakpoint-${when}` });
    input.checked = (model.get("breakpoints")?.[when] ?? []).includes(current);
    input.addEventListener("change", async () => {
      const reply = await channel.action(ACTION.BREAKPOINT, { node: current, when, enabled: input.checked });
      if (!reply.ok) onError(reply.error);
    });
    return h("label", { class: "hn-inline" }, input, ` pause ${when}`);
  }

  async function show(node) {
    current = node;
    if (!node) {
      replaceChildren(el);
      return;
    }
    const writes = h("div", { class: "hn-muted", text: "Loading last writes…" });
    const top = !node.includes(":");
    replaceChildren(el, h("div", { class: "hn-row" }, h("strong", { text: node }), top && toggle("before"), top && toggle("after")), writes);
    const reply = await channel.query(QUERY.NODE_WRITES, { node });
    if (current !== node) return;
    if (!reply.ok) replaceChildren(writes, h("span", { class: "hn-error", text: reply.error }));
    else if (reply.result.checkpoint_id === null) replaceChildren(writes, "This node has not written on this thread yet.");
    else replaceChildren(writes, h("div", { class: "hn-muted", text: `Last writes (checkpoint …${reply.result.checkpoint_id.slice(-8)}):` }), jsonView(reply.result.writes, { testid: "node-writes" }));
  }

  model.on("change:breakpoints", () => show(current));
  return { el, show };
}
