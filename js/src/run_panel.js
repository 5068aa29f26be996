// @ts-check
// Live run panel: elapsed time, step count, each node's state and time, a Stop button,
// and chat messages growing token by token. Durations come from the kernel (`elapsed`,
// node `took`) and are extended with this page's clock only while the run is active, so
// kernel and browser clocks never have to agree.

import { escapeBidi, h, replaceChildren } from "./dom.js";
import { QUERY } from "./protocol.js";

const TICK_MS = 200;

export function formatSeconds(ms) {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
}

export function createRunPanel({ channel, model, now = () => performance.now() }) {
  const summary = h("span", { class: "hn-run-summary", testid: "run-summary", role: "status" });
  const elapsed = h("span", { class: "hn-run-elapsed", testid: "run-elapsed" });
  const steps = h("span", { class: "hn-run-steps", testid: "run-steps" });
  const stop = h("button", { class: "hn-stop", testid: "btn-stop", title: "Stop at the next safe point: no further node starts", on: { click: onStop } }, "Stop");
  const nodes = h("ol", { class: "hn-run-nodes", testid: "run-nodes", "aria-label": "Nodes of this run" });
  const messages = h("div", { class: "hn-run-messages", testid: "run-messages", "aria-live": "polite" });
  const el = h("div", { class: "hn-panel hn-run", testid: "run-panel" }, h("div", { class: "hn-row" }, summary, elapsed, steps, stop), nodes, messages);

  let progress = {};
  let receivedAt = now();
  let timer = null;
  let runKey = null;
  let lost = false;
  const bubbles = new Map();

  async function onStop() {
    stop.disabled = true;
    stop.textContent = "Stopping…";
    const reply = await channel.action("stop");
    if (!reply.ok) {
      stop.disabled = false;
      stop.textContent = "Stop";
    }
  }

  function liveMs(ms) {
    return progress.active && !lost ? ms + (now() - receivedAt) : ms;
  }

  function stopClock() {
    if (timer === null) return;
    clearInterval(timer);
    timer = null;
  }

  // The kernel connection is gone (a restart): the run cannot be reached or stopped from
  // here, so its clock stops where it was and Stop goes; nothing claims it still runs.
  function disconnected() {
    if (!progress.active || lost) return;
    lost = true;
    stopClock();
    el.dataset.state = "lost";
    summary.textContent = "Run lost with the kernel connection";
    stop.hidden = true;
  }

  function drawTimes() {
    elapsed.textContent = formatSeconds(liveMs(progress.elapsed ?? 0));
    for (const li of nodes.children) {
      const info = progress.nodes?.[li.dataset.node];
      if (!info) continue;
      const took = info.state === "running" ? liveMs(info.took ?? 0) : (info.took ?? 0);
      li.querySelector(".hn-run-took").textContent = formatSeconds(took);
    }
  }

  function render(fresh = model.get("progress") ?? {}) {
    // A lost run stays lost (and its clock stopped) until a live kernel reports its end
    // or a new run.
    if (lost && fresh.active && fresh.started === progress.started) return;
    progress = fresh;
    lost = false;
    receivedAt = now();
    el.hidden = !progress.started;
    if (!progress.started) return;
    if (runKey !== progress.started) {
      runKey = progress.started;
      bubbles.clear();
      replaceChildren(messages);
    }
    const state = progress.active ? (progress.stopping ? "stopping" : "running") : "finished";
    el.dataset.state = state;
    summary.textContent = progress.active ? (progress.stopping ? "Stopping at the next safe point…" : "Running") : "Last run";
    steps.textContent = progress.step === null || progress.step === undefined ? "" : `step ${progress.step}`;
    stop.hidden = !progress.active;
    stop.disabled = Boolean(progress.stopping);
    stop.textContent = progress.stopping ? "Stopping…" : "Stop";
    replaceChildren(
      nodes,
      Object.entries(progress.nodes ?? {}).map(([id, info]) =>
        h(
          "li",
          { class: `hn-run-node hn-run-${info.state}`, "data-node": id, testid: `run-node-${id}` },
          h("span", { class: "hn-run-name", text: id }),
          h("span", { class: "hn-run-state", text: info.state }),
          h("span", { class: "hn-run-took" }),
        ),
      ),
    );
    drawTimes();
    if (progress.active && timer === null) timer = setInterval(drawTimes, TICK_MS);
    if (!progress.active) stopClock();
  }

  /** Append streamed pieces; each message gets one bubble, text appended as a text node. */
  function addTokens(items) {
    for (const item of items ?? []) {
      const key = `${item.node}\u0000${item.id}`;
      let bubble = bubbles.get(key);
      if (!bubble) {
        const text = document.createTextNode("");
        const node = h("div", { class: "hn-run-message", testid: "run-message" }, h("span", { class: "hn-run-message-node", text: item.node }), h("span", { class: "hn-run-message-text", testid: "run-message-text" }, text));
        bubble = { text, node };
        bubbles.set(key, bubble);
        messages.append(node);
      }
      bubble.text.appendData(escapeBidi(item.text));
    }
    messages.scrollTop = messages.scrollHeight;
  }

  model.on("change:progress", () => render());
  channel.on("tokens", (msg) => addTokens(msg.items));
  render();
  // A page opened (or reloaded) mid-run holds the durations of the kernel's last change,
  // which may be long ago: ask for them as of now.
  if (progress.active) {
    channel.query(QUERY.PROGRESS).then((reply) => {
      const later = reply.ok ? reply.result : null;
      if (later?.started === progress.started && progress.active) render(later);
    });
  }
  return {
    el,
    disconnected,
    dispose: stopClock,
  };
}
