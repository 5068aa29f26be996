// @ts-check
// History timeline: every checkpoint (newest first) as a tree — a fork opens a new lane.
// Virtualised: only rows in view exist in the DOM; pages are fetched from the kernel on
// demand, and new checkpoints arrive as small summaries after each action.

import { h, replaceChildren, shortId } from "./dom.js";
import { ACTION, QUERY } from "./protocol.js";

export const ROW_HEIGHT = 26;
const PAGE = 100;
const OVERSCAN = 8;
const MAX_INDENT = 8;

export function createTimeline({ channel, onSelect = (/** @type {any} */ _item) => {}, height = 260 }) {
  const spacer = h("div", { class: "hn-spacer" });
  const viewport = h("div", { class: "hn-timeline-viewport", testid: "history-list", role: "listbox", "aria-label": "Checkpoints, newest first", tabindex: "0" }, spacer);
  viewport.style.height = `${height}px`;
  const el = h("section", { class: "hn-panel hn-timeline", testid: "history", "aria-label": "History" }, h("h3", { text: "History" }), viewport);
  let items = [];
  let size = 0;
  let selectedId = null;
  const inflight = new Set();
  const rows = new Map();

  function setSize(n) {
    size = n;
    spacer.style.height = `${size * ROW_HEIGHT}px`;
  }

  // `changed`: summaries of known checkpoints restated in place (a partial resume).
  function add(added, newSize, changed = []) {
    if (items.length + added.length === newSize || size === 0) items = added.concat(items);
    else items = [];
    for (const item of changed) {
      const index = items.findIndex((it) => it && it.id === item.id);
      if (index >= 0) items[index] = item;
    }
    setSize(newSize);
    rows.forEach((row) => row.remove());
    rows.clear();
    draw();
  }

  function load(all, newSize) {
    items = all.slice();
    setSize(newSize);
    rows.forEach((row) => row.remove());
    rows.clear();
    draw();
  }

  function reset() {
    items = [];
    selectedId = null;
    setSize(0);
    rows.forEach((row) => row.remove());
    rows.clear();
  }

  async function fetchPage(page) {
    if (inflight.has(page)) return;
    inflight.add(page);
    try {
      const reply = await channel.query(QUERY.HISTORY, { offset: page * PAGE, limit: PAGE });
      if (!reply.ok) return;
      const { items: pageItems, offset, size: total } = reply.result;
      if (total !== size) return; // history moved meanwhile: the next draw refetches
      pageItems.forEach((item, i) => (items[offset + i] = item));
      draw();
    } finally {
      inflight.delete(page);
    }
  }

  function draw() {
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const visible = Math.ceil((viewport.clientHeight || 260) / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(size, first + visible);
    for (const [index, row] of rows) {
      if (index < first || index >= last) {
        row.remove();
        rows.delete(index);
      }
    }
    for (let index = first; index < last; index++) {
      const item = items[index];
      if (!item) {
        fetchPage(Math.floor(index / PAGE));
        continue;
      }
      const existing = rows.get(index);
      if (existing && existing.dataset.checkpointId === item.id) {
        existing.setAttribute("aria-selected", String(item.id === selectedId));
        continue;
      }
      existing?.remove();
      const row = renderRow(item, index);
      rows.set(index, row);
      viewport.append(row);
    }
  }

  function renderRow(item, index) {
    const writers = item.writers.filter((w) => !w.startsWith("__")).join(", ");
    const row = h(
      "div",
      {
        class: `hn-row hn-history-row${item.fork ? " hn-fork" : ""}`,
        role: "option",
        tabindex: "-1",
        testid: "history-row",
        "data-checkpoint-id": item.id,
        "data-index": String(index),
        "aria-selected": String(item.id === selectedId),
        on: { click: () => select(index) },
      },
      h("span", { class: "hn-lane", text: item.fork ? "↳" : "│" }),
      h("span", { class: "hn-step", text: `#${item.step}` }),
      h("span", { class: "hn-source", text: item.source ?? "" }),
      h("span", { class: "hn-writers", text: writers || (item.next.length ? `→ ${item.next.join(", ")}` : "") }),
      item.interrupts ? h("span", { class: "hn-badge hn-badge-interrupt", text: `interrupts: ${item.interrupts}` }) : null,
      item.errors ? h("span", { class: "hn-badge hn-badge-error", text: `errors: ${item.errors}` }) : null,
      h("span", { class: "hn-id hn-muted", text: `…${shortId(item.id)}` }),
    );
    row.style.top = `${index * ROW_HEIGHT}px`;
    row.style.paddingLeft = `${4 + Math.min(item.lane, MAX_INDENT) * 12}px`;
    row.title = Object.entries(item.writes).map(([k, v]) => `${k}: ${v}`).join("\n");
    return row;
  }

  function select(index) {
    const item = items[index];
    if (!item) return;
    selectedId = item.id;
    for (const row of rows.values()) row.setAttribute("aria-selected", String(row.dataset.checkpointId === selectedId));
    rows.get(index)?.focus();
    onSelect(item);
  }

  viewport.addEventListener("scroll", draw);
  viewport.addEventListener("keydown", (ev) => {
    const current = items.findIndex((it) => it && it.id === selectedId);
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      const next = Math.min(size - 1, Math.max(0, current + (ev.key === "ArrowDown" ? 1 : -1)));
      viewport.scrollTop = Math.max(0, Math.min(viewport.scrollTop, next * ROW_HEIGHT));
      if (next * ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight - ROW_HEIGHT) viewport.scrollTop = next * ROW_HEIGHT;
      draw();
      select(next);
    }
  });

  return { el, add, load, reset, draw, select, renderedRows: () => rows.size, selected: () => selectedId };
}

/** Details of the selected checkpoint: writes, diff, replay and fork. */
export function createCheckpointDetail({ channel, onError = (/** @type {string} */ _message) => {} }) {
  const el = h("div", { class: "hn-checkpoint-detail", testid: "checkpoint-detail" });
  const diffBox = h("div", { class: "hn-diff", testid: "diff-view" });
  let current = null;
  let marked = null;

  async function showDiff(a, b) {
    const reply = await channel.query(QUERY.DIFF, { a, b });
    if (!reply.ok) return onError(reply.error);
    const { ops, from } = reply.result;
    replaceChildren(
      diffBox,
      h("div", { class: "hn-muted", text: `Changes from …${shortId(from)} to …${shortId(a)}: ${ops.length || "none"}` }),
      ops.map((op) => h("div", { class: `hn-diff-op hn-diff-${op.op}` }, h("code", { text: formatPath(op.path) }), ` ${op.op} `, h("code", { text: JSON.stringify(op.op === "append" ? op.items : op.value ?? null) }))),
    );
  }

  async function act(action, args) {
    const reply = await channel.action(action, args);
    if (!reply.ok) onError(reply.error);
  }

  function show(item) {
    current = item;
    replaceChildren(diffBox);
    if (!item) return replaceChildren(el);
    replaceChildren(
      el,
      h("div", { class: "hn-muted", text: `Checkpoint …${shortId(item.id)} · step ${item.step} · ${item.source} · ${item.created_at ?? ""}` }),
      Object.entries(item.writes).map(([node, text]) => h("div", {}, h("strong", { text: `${node}: ` }), h("code", { text }))),
      h(
        "div",
        { class: "hn-row" },
        h("button", { testid: "checkpoint-diff-parent", on: { click: () => showDiff(item.id, null) } }, "Diff vs parent"),
        h("button", { testid: "checkpoint-mark", on: { click: () => { marked = item.id; show(item); } } }, marked === item.id ? "Marked" : "Mark for compare"),
        marked && marked !== item.id ? h("button", { testid: "checkpoint-diff-marked", on: { click: () => showDiff(item.id, marked) } }, `Diff vs …${shortId(marked)}`) : null,
        h("button", { testid: "checkpoint-replay", on: { click: () => act(ACTION.REPLAY, { checkpoint_id: item.id }) } }, "Replay from here"),
        h("button", { testid: "checkpoint-fork", on: { click: () => act(ACTION.FORK, { checkpoint_id: item.id, values: null }) } }, "Fork here"),
      ),
      diffBox,
    );
  }

  return { el, show, current: () => current };
}

function formatPath(path) {
  return path.length ? path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("") : "(whole state)";
}
