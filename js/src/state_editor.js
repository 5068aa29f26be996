// State editor: the latest (or selected) checkpoint's values as JSON. Validated here
// before anything is sent; only top-level keys that changed are sent, as LangGraph's
// update_state (values go through the graph's reducers). Editing a past checkpoint forks.

import { h, parseJSON, pretty, replaceChildren, shortId } from "./dom.js";
import { changedKeys } from "./patch.js";

export function createStateEditor({ channel, model, onError = () => {}, onForked = () => {} }) {
  const title = h("div", { class: "hn-muted", testid: "state-title" });
  const text = h("textarea", { rows: "12", class: "hn-code", testid: "state-json", "aria-label": "State as JSON", spellcheck: "false" });
  const asNode = h("select", { testid: "state-as-node", "aria-label": "Write as node" });
  const error = h("div", { class: "hn-error", testid: "state-error", role: "alert" });
  const save = h("button", { class: "hn-primary", testid: "state-save", on: { click: () => submit() } }, "Save");
  const reset = h("button", { testid: "state-reset", on: { click: () => load(view) } }, "Reset");
  const el = h(
    "section",
    { class: "hn-panel hn-state", testid: "state-editor", "aria-label": "State editor" },
    h("h3", { text: "State" }),
    title,
    text,
    h("div", { class: "hn-row" }, h("label", { class: "hn-inline" }, "as node ", asNode), save, reset),
    error,
  );
  let view = { id: null, values: {}, is_head: true };

  function fillNodes(nodes) {
    const top = (nodes ?? []).filter((n) => !n.includes(":"));
    replaceChildren(asNode, h("option", { value: "", text: "(default)" }), top.map((n) => h("option", { value: n, text: n })));
  }

  function load(next) {
    view = next;
    text.value = pretty(next.values ?? {});
    error.textContent = "";
    const where = next.id ? `checkpoint …${shortId(next.id)}` : "no checkpoint yet";
    title.textContent = next.is_head ? `${where} (latest)` : `${where} (past: saving creates a fork)`;
    save.textContent = next.is_head ? "Save" : "Fork with these values";
  }

  let busy = false;

  async function submit() {
    if (busy) return; // one save at a time: a second click never sends a second fork
    const parsed = parseJSON(text.value);
    if (!parsed.ok) return (error.textContent = parsed.error);
    const values = parsed.value;
    if (!values || typeof values !== "object" || Array.isArray(values)) return (error.textContent = "State must be a JSON object.");
    const keys = changedKeys(view.values, values);
    const removed = Object.keys(view.values ?? {}).filter((k) => !(k in values));
    if (removed.length) return (error.textContent = `Keys cannot be removed here: ${removed.join(", ")}.`);
    const changed = Object.fromEntries(keys.map((k) => [k, values[k]]));
    const as_node = asNode.value || null;
    if (view.is_head && keys.length === 0 && !as_node) return (error.textContent = "Nothing changed.");
    error.textContent = "";
    busy = true;
    const label = save.textContent;
    save.disabled = true;
    save.textContent = view.is_head ? "Saving…" : "Forking…";
    el.setAttribute("aria-busy", "true");
    try {
      const forking = !view.is_head;
      const reply = forking
        ? await channel.action("fork", { checkpoint_id: view.id, values: keys.length ? changed : null, as_node })
        : await channel.action("update_state", { values: changed, as_node });
      if (!reply.ok) {
        error.textContent = reply.error;
        onError(reply.error);
      } else if (forking) {
        // The fork is the thread's latest checkpoint now: show it, not the past one.
        load({ ...view, id: reply.result?.head?.id ?? view.id, is_head: true });
        await onForked(reply.result?.head ?? {});
      }
    } finally {
      busy = false;
      save.disabled = false;
      if (save.textContent.endsWith("…")) save.textContent = label;
      el.removeAttribute("aria-busy");
    }
  }

  fillNodes(model.get("nodes"));
  model.on("change:nodes", () => fillNodes(model.get("nodes")));
  return { el, load, submit, current: () => view };
}
