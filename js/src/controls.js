// @ts-check
// Toolbar (status, Continue, Step, Refresh, a new run's input), error/notice banners and
// the thread picker (thread_picker.js).

import { h, parseJSON, replaceChildren } from "./dom.js";
import { ACTION } from "./protocol.js";
import { createThreadPicker } from "./thread_picker.js";

/** Statuses in which the kernel refuses Continue and Step: nothing is scheduled. */
const NOTHING_NEXT = new Set(["new", "done"]);

export function createControls({ channel, model }) {
  const status = h("span", { class: "hn-status", testid: "status", role: "status" });
  const error = h("div", { class: "hn-banner hn-banner-error", testid: "error-banner", role: "alert" });
  const notice = h("div", { class: "hn-banner hn-banner-notice", testid: "notice-banner", role: "status" });
  const runInput = h("textarea", { rows: "2", class: "hn-code", testid: "run-input", "aria-label": "Run input (JSON)" });
  const runError = h("div", { class: "hn-error", testid: "run-error", role: "alert" });
  runInput.value = "{}";

  // A run button's click is "in flight" until the kernel replies: a second click in that
  // gap (a double click) would only be refused by the kernel with an error banner.
  let starting = false;

  async function act(action, args = {}) {
    const reply = await channel.action(action, args);
    if (!reply.ok && reply.kind !== "stale") showError(reply.error);
    return reply;
  }

  async function start(action, args = {}) {
    if (starting) return;
    starting = true;
    sync();
    try {
      return await act(action, args);
    } finally {
      starting = false;
      sync();
    }
  }

  function showError(message) {
    error.textContent = message ?? "";
    error.hidden = !message;
  }

  function runWithInput(action) {
    const parsed = parseJSON(runInput.value);
    if (!parsed.ok) return (runError.textContent = parsed.error);
    runError.textContent = "";
    return start(action, { input: parsed.value });
  }

  const toolbar = h(
    "div",
    { class: "hn-row hn-toolbar" },
    status,
    h("button", { testid: "btn-continue", "data-run-button": true, "data-needs-next": true, title: "Run until the end, an interrupt or a breakpoint", on: { click: () => start(ACTION.CONTINUE) } }, "Continue"),
    h("button", { testid: "btn-step", "data-run-button": true, "data-needs-next": true, title: "Run one super-step", on: { click: () => start(ACTION.STEP) } }, "Step"),
    h("button", { testid: "btn-refresh", "data-run-button": true, title: "Re-read the thread", on: { click: () => start(ACTION.REFRESH) } }, "Refresh"),
    h("span", { class: "hn-muted hn-thread", testid: "thread-id" }),
  );
  const runBox = h(
    "details",
    { class: "hn-run" },
    h("summary", { text: "New run on this thread" }),
    runInput,
    h("button", { testid: "btn-run", "data-run-button": true, on: { click: () => runWithInput(ACTION.RUN) } }, "Run"),
    runError,
  );
  const picker = createThreadPicker({ channel, model, act });
  const el = h("div", { class: "hn-controls" }, toolbar, error, notice, runBox, picker.el);

  function renderRunBox() {
    runBox.hidden = !model.get("thread_id");
  }

  // Set when the kernel side stopped answering (see connection.js): nothing runs then,
  // whatever the last status the kernel sent said.
  let lost = false;

  function shownStatus() {
    return lost ? "disconnected" : model.get("status");
  }

  function sync() {
    status.textContent = shownStatus();
    // One run at a time: the kernel refuses a second one (and a refresh during a run), so
    // do not offer them while a run goes on or a click of ours is still unanswered.
    const busy = model.get("status") === "running" || starting || lost;
    // Continue and Step have nothing to run on a thread not started yet or finished.
    const idle = NOTHING_NEXT.has(model.get("status"));
    for (const button of el.querySelectorAll("[data-run-button]")) button.disabled = busy || (idle && button.hasAttribute("data-needs-next"));
    status.dataset.status = shownStatus();
    el.dataset.status = shownStatus();
    const head = model.get("head") ?? {};
    replaceChildren(el.querySelector(".hn-thread"), model.get("thread_id") ? `thread ${model.get("thread_id")} · step ${head.step ?? "—"}` : "");
    showError(model.get("error"));
    notice.textContent = model.get("notice") ?? "";
    notice.hidden = !model.get("notice");
  }

  for (const name of ["status", "head", "error", "notice", "thread_id"]) model.on(`change:${name}`, sync);
  model.on("change:thread_id", renderRunBox);
  sync();
  renderRunBox();
  /** The kernel side answers again (`true`) or stopped answering (`false`). */
  function setConnected(connected) {
    lost = !connected;
    sync();
  }
  return { el, showError, setConnected };
}
