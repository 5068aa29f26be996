// @ts-check
// The thread picker: the graph's threads to pick from and, for a server's threads, a search
// by metadata and status. Without a thread it is the widget's first screen (with "start a
// new thread"); on a server thread it stays reachable as "Other threads".

import { h, parseJSON, replaceChildren } from "./dom.js";
import { ACTION, QUERY } from "./protocol.js";

/** A server thread's statuses, as ``threads.search(status=)`` takes them. */
export const THREAD_STATUSES = ["idle", "busy", "interrupted", "error"];

export function createThreadPicker({ channel, model, act }) {
  const list = h("div", { class: "hn-thread-list", testid: "thread-list" });
  const metadata = h("input", {
    type: "text",
    class: "hn-code",
    testid: "thread-search-metadata",
    placeholder: '{"user": "ada"}',
    "aria-label": "Metadata the threads have (JSON object; empty for any)",
  });
  const status = h(
    "select",
    { testid: "thread-search-status", "aria-label": "Thread status" },
    h("option", { value: "", text: "any status" }),
    THREAD_STATUSES.map((s) => h("option", { value: s, text: s })),
  );
  const searchError = h("div", { class: "hn-error", testid: "thread-search-error", role: "alert" });
  const search = h(
    "div",
    { class: "hn-row hn-thread-search" },
    h("span", { class: "hn-muted", text: "Metadata" }),
    metadata,
    status,
    h("button", { testid: "thread-search-go", on: { click: () => find() } }, "Search"),
  );
  const switcher = h("details", { class: "hn-switcher", testid: "thread-switcher" }, h("summary", { text: "Other threads" }));
  switcher.addEventListener("toggle", () => switcher.open && find());
  const el = h("div", { class: "hn-picker", testid: "thread-picker" });

  /** Ask the kernel for the threads matching the filters (the reply fills ``threads``). */
  async function find() {
    const filters = readFilters();
    if (!filters.ok) return (searchError.textContent = filters.error);
    searchError.textContent = "";
    const reply = await channel.query(QUERY.THREADS, filters.value);
    if (!reply.ok) searchError.textContent = reply.error;
    else renderList(reply.result);
  }

  function readFilters() {
    const text = metadata.value.trim();
    const value = {};
    if (text) {
      const parsed = parseJSON(text);
      if (!parsed.ok) return parsed;
      if (!parsed.value || typeof parsed.value !== "object" || Array.isArray(parsed.value)) {
        return { ok: false, error: "Metadata must be a JSON object, e.g. {\"user\": \"ada\"}." };
      }
      value.metadata = parsed.value;
    }
    if (status.value) value.status = status.value;
    return { ok: true, value };
  }

  function renderList(threads) {
    replaceChildren(
      list,
      threads.length ? null : h("div", { class: "hn-muted", text: "No threads found." }),
      threads.map((t, i) =>
        h("button", { testid: `thread-option-${i}`, on: { click: () => pick(t.thread_id) } }, threadLabel(t)),
      ),
    );
  }

  async function pick(threadId) {
    const reply = await act(ACTION.SELECT_THREAD, { thread_id: threadId });
    if (reply.ok) switcher.open = false;
  }

  function startForm() {
    const input = h("textarea", { rows: "3", class: "hn-code", testid: "new-thread-input", "aria-label": "Input of the new thread (JSON)" });
    input.value = "{}";
    const err = h("div", { class: "hn-error", testid: "new-thread-error", role: "alert" });
    const start = () => {
      const parsed = parseJSON(input.value);
      if (!parsed.ok) return (err.textContent = parsed.error);
      err.textContent = "";
      act(ACTION.NEW_THREAD, { input: parsed.value });
    };
    return [
      h("div", { class: "hn-muted", text: "Or start a new thread with this input (JSON):" }),
      input,
      h("button", { class: "hn-primary", testid: "new-thread-start", on: { click: start } }, "Start"),
      err,
    ];
  }

  /** Place the picker: the first screen without a thread, "Other threads" on a server thread. */
  function render() {
    const hasThread = Boolean(model.get("thread_id"));
    const searchable = Boolean(model.get("thread_search"));
    const tools = searchable ? [search, searchError, list] : [list];
    el.hidden = hasThread;
    switcher.hidden = !hasThread || !searchable;
    if (hasThread) {
      replaceChildren(el);
      replaceChildren(switcher, switcher.firstChild, searchable ? tools : null);
    } else {
      replaceChildren(switcher, switcher.firstChild);
      replaceChildren(el, h("h3", { text: "Pick a thread" }), tools, startForm());
    }
    renderList(model.get("threads") ?? []);
  }

  model.on("change:threads", () => renderList(model.get("threads") ?? []));
  model.on("change:thread_id", render);
  model.on("change:thread_search", render);
  render();
  return { el: h("div", {}, el, switcher) };
}

/** A picker entry: the checkpoint count or a server thread's status, then its metadata. */
export function threadLabel(t) {
  const detail = t.checkpoint_count != null ? `${t.checkpoint_count} checkpoints` : t.status;
  const meta = Object.entries(t.metadata ?? {}).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  const label = detail ? `${t.thread_id} (${detail})` : t.thread_id;
  return meta.length ? `${label} · ${meta.join(", ")}` : label;
}
