// @ts-check
// A widget restored from a saved notebook has no kernel behind it. Instead of ignoring
// clicks, it says it is a snapshot, shows the one line of code that reattaches it, and
// disables its controls.

import { h } from "./dom.js";
import { QUERY } from "./protocol.js";

/** How long a kernel has to answer the first ping before the widget calls itself a snapshot. */
export const PING_TIMEOUT_MS = 5_000;

/**
 * Ping the kernel; on no reply, mark `root` as a snapshot. Resolves true when it did.
 * @param {{channel: {query(q: string, a?: object, o?: {timeoutMs?: number}): Promise<{ok: boolean, kind?: string}>},
 *   model: {get(name: string): any}, root: HTMLElement, timeoutMs?: number}} opts
 */
export async function watchKernel({ channel, model, root, timeoutMs = PING_TIMEOUT_MS }) {
  let reply;
  try {
    reply = await channel.query(QUERY.PING, {}, { timeoutMs });
  } catch {
    return false; // the view was closed meanwhile
  }
  if (reply.ok || reply.kind !== "timeout") return false;
  const line = model.get("reattach") || "show(graph, thread_id=...)";
  root.prepend(
    h(
      "div",
      { class: "hn-snapshot-notice", testid: "snapshot-notice", role: "status" },
      "This widget is a snapshot saved with the notebook: no running kernel drives it, so its buttons are off. To work with this thread again, run ",
      h("code", { text: line }),
      " in a cell.",
    ),
  );
  root.classList.add("hn-snapshot");
  for (const control of root.querySelectorAll("button, input, textarea, select")) {
    /** @type {HTMLButtonElement} */ (control).disabled = true;
  }
  return true;
}
