// @ts-check
// Connection watch: after a kernel restart (or a lost connection) the widget's kernel
// side is gone and every button would silently do nothing. When the widget manager says
// the connection changed, ask the kernel side for a ping; no answer in time means the
// widget is disconnected, and it says so (run the cell again to get a live widget);
// `onChange(connected)` lets the other panels stop showing a run nobody can reach.

import { h } from "./dom.js";

export const PING_TIMEOUT_MS = 4000;

export function createConnectionWatch({ channel, model, timeoutMs = PING_TIMEOUT_MS, onChange = (/** @type {boolean} */ _connected) => {} }) {
  const el = h(
    "div",
    { class: "hn-banner hn-banner-error hn-disconnected", testid: "disconnected", role: "alert" },
    "Disconnected from the kernel (was it restarted?). This widget no longer acts on the graph: run its cell again.",
  );
  el.hidden = true;
  let checking = null;

  function ping() {
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), timeoutMs));
    return Promise.race([channel.query("ping").catch(() => null), timeout]);
  }

  async function check() {
    checking ??= ping().then((reply) => {
      checking = null;
      const connected = Boolean(reply && reply.ok);
      el.hidden = connected;
      el.closest?.(".hn-root")?.toggleAttribute("data-disconnected", !connected);
      onChange(connected);
      return connected;
    });
    return checking;
  }

  model.on("comm_live_update", check);
  return { el, check };
}
