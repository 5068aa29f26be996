// @ts-check
// Request/reply and events over anywidget custom messages (see docs/widget-protocol.md).
//
// A reply that does not come in time resolves as {ok: false, kind: "timeout"} (the panels
// show it like any refused request); requests still waiting when the view is disposed
// are rejected with a ChannelClosedError, so nothing acts on a widget that is gone.

/**
 * @typedef {{ok: boolean, result?: any, kind?: string, error?: string}} Reply
 * @typedef {{get(name: string): any, send(msg: object): void,
 *   on(event: string, fn: (msg: any) => void): void,
 *   off(event: string, fn: (msg: any) => void): void}} Model
 * @typedef {{timeoutMs?: number | null}} RequestOptions
 */

/** A query waits this long for the kernel; actions (a run can be long) wait unbounded. */
export const QUERY_TIMEOUT_MS = 30_000;

export class ChannelClosedError extends Error {
  constructor() {
    super("the widget was closed before the kernel replied");
    this.name = "ChannelClosedError";
  }
}

/** @param {Model} model */
export function createChannel(model) {
  let nextId = 1;
  let closed = false;
  /** @type {Map<number, {resolve: (reply: Reply) => void, reject: (err: Error) => void, timer: any}>} */
  const pending = new Map();
  /** @type {Map<string, Array<(msg: any) => void>>} */
  const listeners = new Map();

  /** @param {any} msg */
  function onMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "reply") {
      const entry = pending.get(msg.request_id);
      if (!entry) return;
      pending.delete(msg.request_id);
      clearTimeout(entry.timer);
      entry.resolve(msg);
      return;
    }
    for (const fn of listeners.get(msg.type) ?? []) fn(msg);
  }
  model.on("msg:custom", onMessage);

  /**
   * @param {object} message
   * @param {number | null} timeoutMs
   * @returns {Promise<Reply>}
   */
  function request(message, timeoutMs) {
    if (closed) return Promise.reject(new ChannelClosedError());
    const request_id = nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs == null
          ? null
          : setTimeout(() => {
              pending.delete(request_id);
              resolve({ ok: false, kind: "timeout", error: `No reply from the kernel in ${Math.round(timeoutMs / 1000)} s: is it still running?` });
            }, timeoutMs);
      pending.set(request_id, { resolve, reject, timer });
      try {
        model.send({ ...message, request_id });
      } catch (err) {
        // The comm is gone (kernel restarted or shut down): answer instead of throwing.
        pending.delete(request_id);
        if (timer !== null) clearTimeout(timer);
        const why = err instanceof Error ? err.message : String(err);
        resolve({ ok: false, kind: "disconnected", error: `Disconnected from the kernel: ${why}. Run the widget's cell again.` });
      }
    });
  }

  return {
    /**
     * Ask for data; resolves with the reply ({ok, result} or {ok: false, error}).
     * @param {string} query
     * @param {object} [args]
     * @param {RequestOptions} [options]
     */
    query(query, args = {}, { timeoutMs = QUERY_TIMEOUT_MS } = {}) {
      return request({ type: "query", query, args }, timeoutMs);
    },
    /**
     * Ask for an action on the latest checkpoint the widget shows (`base`).
     * @param {string} action
     * @param {object} [args]
     * @param {RequestOptions} [options]
     */
    action(action, args = {}, { timeoutMs = null } = {}) {
      return request({ type: "action", action, args, base: model.get("head")?.id ?? null }, timeoutMs);
    },
    /**
     * @param {string} type
     * @param {(msg: any) => void} fn
     */
    on(type, fn) {
      if (!listeners.has(type)) listeners.set(type, []);
      listeners.get(type)?.push(fn);
    },
    /** Stop listening and reject every request still waiting for a reply. */
    dispose() {
      closed = true;
      model.off("msg:custom", onMessage);
      for (const entry of pending.values()) {
        clearTimeout(entry.timer);
        entry.reject(new ChannelClosedError());
      }
      pending.clear();
    },
  };
}
