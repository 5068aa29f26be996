// @ts-check
// History timeline: every checkpoint (newest first) as a tree — a fork opens a new lane,
// drawn as a branch line in a gutter of lanes (from each lane's span, so any page draws
// without the rest of the history). Virtualised: only rows in view exist in the DOM;
// pages are fetched from the kernel on demand, and new checkpoints arrive as small
// summaries after each action.

import { h, replaceChildren, shortId } from "./dom.js";
import { ACTION, QUERY } from "./protocol.js";

export const ROW_HEIGHT = 26;
const PAGE = 100;
const OVERSCAN = 8;
/** Lanes drawn side by side; later lanes share the last column. */
export const MAX_LANES = 8;
/** Operations a diff shows per section; the rest are counted. */
export const MAX_DIFF_OPS = 200;

/**
 * The gutter of one row: per lane column, "●" for the row's own lane, "│" where another
 * branch passes, "╯" where a branch forks off this row, " " elsewhere. Ids sort by time.
 */
export function laneGutter(item, lanes) {
  const width = Math.min(MAX_LANES, Math.max(1, ...lanes.map((l) => l.lane + 1)));
  const cells = new Array(width).fill(" ");
  for (const lane of lanes) {
    const col = Math.min(lane.lane, MAX_LANES - 1);
    if (lane.lane === item.lane) continue;
    if (lane.from === item.id && lane.from !== lane.to) cells[col] = "╯";
    else if (lane.from < item.id && item.id <= lane.to && cells[col] === " ") cells[col] = "│";
  }
  cells[Math.min(item.lane, MAX_LANES - 1)] = item.fork ? "◆" : "●";
  return cells.join("");
}

export function createTimeline({ channel, onSelect = (/** @type {any} */ _item) => {}, height = 260 }) {
  const spacer = h("div", { class: "hn-spacer" });
  const viewport = h("div", { class: "hn-timeline-viewport", testid: "history-list", role: "listbox", "aria-label": "Checkpoints, newest first", tabindex: "0" }, spacer);
  viewport.style.height = `${height}px`;
  const el = h("section", { class: "hn-panel hn-timeline", testid: "history", "aria-label": "History" }, h("h3", { text: "History" }), viewport);
  let items = [];
  let lanes = [];
  let size = 0;
  let selectedId = null;
  const inflight = new Set();
  const rows = new Map();

  function setSize(n) {
    size = n;
    spacer.style.height = `${size * ROW_HEIGHT}px`;
  }

  // `changed`: summaries of known checkpoints restated in place (a partial resume).
  function add(added, newSize, changed = [], newLanes = lanes) {
    lanes = newLanes;
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

  function load(all, newSize, newLanes = []) {
    items = all.slice();
    lanes = newLanes;
    setSize(newSize);
    rows.forEach((row) => row.remove());
    rows.clear();
    draw();
  }

  function reset() {
    items = [];
    lanes = [];
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
      if (reply.result.lanes) lanes = reply.result.lanes;
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
      h("span", { class: "hn-lane", "aria-hidden": "true", text: laneGutter(item, lanes) }),
      h("span", { class: "hn-step", text: `#${item.step}` }),
      h("span", { class: "hn-source", text: item.source ?? "" }),
      h("span", { class: "hn-writers", text: writers || (item.next.length ? `→ ${item.next.join(", ")}` : "") }),
      item.interrupts ? badge("interrupt", "interrupts", item.interrupts) : null,
      item.errors ? badge("error", "errors", item.errors) : null,
      h("span", { class: "hn-id hn-muted", text: `…${shortId(item.id)}` }),
    );
    row.dataset.lane = String(item.lane);
    row.style.top = `${index * ROW_HEIGHT}px`;
    if (item.fork) row.setAttribute("aria-label", `fork of …${shortId(item.parent ?? "")}, step ${item.step}`);
    row.title = rowTitle(item, writers);
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

  return { el, add, load, reset, draw, select, renderedRows: () => rows.size, selected: () => selectedId, size: () => size };
}

/** A count badge; its word hides in a narrow timeline (a symbol stands in, via CSS). */
function badge(kind, word, count) {
  return h("span", { class: `hn-badge hn-badge-${kind}` }, h("span", { class: "hn-badge-word", text: `${word}: ` }), String(count));
}

/** A row's whole text for its tooltip: a narrow timeline cuts the row, never the title. */
export function rowTitle(item, writers) {
  const head = [`#${item.step}`, item.source ?? "", writers || (item.next.length ? `→ ${item.next.join(", ")}` : "")];
  if (item.interrupts) head.push(`interrupts: ${item.interrupts}`);
  if (item.errors) head.push(`errors: ${item.errors}`);
  head.push(`checkpoint ${item.id}`);
  const writes = Object.entries(item.writes).map(([k, v]) => `${k}: ${v}`);
  return [head.filter(Boolean).join(" · "), ...writes].join("\n");
}

/** Details of the selected checkpoint: writes, diff, replay and fork. */
export function createCheckpointDetail({ channel, model = /** @type {any} */ (null), onError = (/** @type {string} */ _message) => {} }) {
  const el = h("div", { class: "hn-checkpoint-detail", testid: "checkpoint-detail" });
  const diffBox = h("div", { class: "hn-diff", testid: "diff-view" });
  let current = null;
  let marked = null;
  // Replay and Fork act once per click the kernel answered: a double click would start a
  // second replay (refused: a run is in progress) or a duplicate fork. A checkpoint
  // forked from here says so until its row is selected again.
  let acting = false;
  let forkedFrom = null;

  function syncButtons() {
    const running = model?.get("status") === "running";
    for (const button of el.querySelectorAll("[data-checkpoint-action]")) {
      const forked = button.dataset.testid === "checkpoint-fork" && forkedFrom === current?.id;
      button.disabled = acting || running || forked;
      if (button.dataset.testid === "checkpoint-fork") button.textContent = forked ? "Forked" : "Fork here";
    }
  }
  model?.on("change:status", syncButtons);

  async function showDiff(a, b) {
    const started = performance.now();
    const reply = await channel.query(QUERY.DIFF, { a, b });
    if (!reply.ok) return onError(reply.error);
    const { ops, metadata_ops: metaOps = [], from } = reply.result;
    const total = reply.result.ops_total ?? ops.length;
    const metaTotal = reply.result.metadata_total ?? metaOps.length;
    const more = (section) => async (op, offset) => {
      const page = await channel.query(QUERY.DIFF_ITEMS, { a, b, section, path: op.path, offset });
      if (!page.ok) onError(page.error);
      return page.ok ? page.result.items : [];
    };
    replaceChildren(
      diffBox,
      h("div", { class: "hn-muted", text: `Changes from …${shortId(from ?? "")} to …${shortId(a)}: ${total || "none"} in state, ${metaTotal || "none"} in metadata` }),
      diffSection("State", ops, "diff-state", { total, loadMore: more("state") }),
      diffSection("Metadata", metaOps, "diff-metadata", { total: metaTotal, loadMore: more("metadata") }),
    );
    diffBox.dataset.ms = String(Math.round(performance.now() - started));
  }

  async function act(action, args) {
    if (acting) return;
    acting = true;
    syncButtons();
    try {
      const reply = await channel.action(action, args);
      if (!reply.ok) onError(reply.error);
      else if (action === ACTION.FORK) forkedFrom = args.checkpoint_id;
    } finally {
      acting = false;
      syncButtons();
    }
  }

  function show(item) {
    forkedFrom = null;
    render(item);
  }

  function render(item) {
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
        h("button", { testid: "checkpoint-mark", on: { click: () => { marked = item.id; render(item); } } }, marked === item.id ? "Marked" : "Mark for compare"),
        marked && marked !== item.id ? h("button", { testid: "checkpoint-diff-marked", on: { click: () => showDiff(item.id, marked) } }, `Diff vs …${shortId(marked)}`) : null,
        h("button", { testid: "checkpoint-replay", "data-checkpoint-action": true, on: { click: () => act(ACTION.REPLAY, { checkpoint_id: item.id }) } }, "Replay from here"),
        h("button", { testid: "checkpoint-fork", "data-checkpoint-action": true, on: { click: () => act(ACTION.FORK, { checkpoint_id: item.id, values: null }) } }, "Fork here"),
      ),
      diffBox,
    );
    syncButtons();
  }

  return { el, show, current: () => current };
}

/**
 * One section of a structural diff: a line per operation, values as (cut) JSON text; an
 * append lists its items a line each. The kernel sends a page of the operations (`total`
 * counts them all) and of each long append's items (`op.count` counts them); "Show more"
 * asks `loadMore(op, offset)` for the next items.
 * @param {string} title
 * @param {any[]} ops
 * @param {string} testid
 * @param {{total?: number, loadMore?: ((op: any, offset: number) => Promise<any[]>) | null}} [options]
 */
export function diffSection(title, ops, testid, { total = ops.length, loadMore = null } = {}) {
  if (!ops.length) return null;
  const shown = ops.slice(0, MAX_DIFF_OPS);
  return h(
    "div",
    { class: "hn-diff-section", testid },
    h("div", { class: "hn-diff-title", text: title }),
    shown.map((op) =>
      op.op === "append"
        ? appendOp(op, loadMore)
        : h(
            "div",
            { class: `hn-diff-op hn-diff-${op.op}`, testid: "diff-op" },
            h("code", { class: "hn-diff-path", text: formatPath(op.path), title: formatPath(op.path) }),
            h("span", { class: "hn-diff-kind", text: op.op }),
            "old" in op ? jsonText(op.old, "hn-diff-old") : null,
            op.op === "set" ? jsonText(op.value, "hn-diff-new") : null,
          ),
    ),
    total > shown.length ? h("div", { class: "hn-muted", text: `… and ${total - shown.length} more` }) : null,
  );
}

/** An append: its path and count, then the items received so far, and "Show more". */
function appendOp(op, loadMore) {
  const count = op.count ?? op.items.length;
  const list = h("div", { class: "hn-diff-items", testid: "diff-items" });
  let received = 0;
  const button = h("button", { class: "hn-diff-more", testid: "diff-more" });
  function add(items) {
    list.append(...items.map((item, i) => h("div", { class: "hn-diff-item" }, h("span", { class: "hn-diff-kind", text: `+${received + i + 1}` }), jsonText(item, "hn-diff-new"))));
    received += items.length;
    button.textContent = `Show more (${count - received} left)`;
    if (received >= count) button.remove();
  }
  button.addEventListener("click", async () => {
    if (!loadMore) return;
    button.disabled = true;
    const items = await loadMore(op, received);
    button.disabled = false;
    if (items.length) add(items);
  });
  add(op.items);
  return h(
    "div",
    { class: "hn-diff-op hn-diff-append", testid: "diff-op" },
    h("code", { class: "hn-diff-path", text: formatPath(op.path), title: formatPath(op.path) }),
    h("span", { class: "hn-diff-kind", text: `+${count}` }),
    list,
    loadMore && received < count ? button : null,
  );
}

function jsonText(value, cls) {
  const text = JSON.stringify(value ?? null);
  const cut = text.length > 240 ? `${text.slice(0, 239)}…` : text;
  // Always titled: a narrow diff cuts the text with an ellipsis, not only a long value.
  return h("code", { class: cls, text: cut, title: text.slice(0, 4000) });
}

function formatPath(path) {
  return path.length ? path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("") : "(whole state)";
}
