// Request/reply and events over anywidget custom messages (see docs/widget-protocol.md).

export function createChannel(model) {
  let nextId = 1;
  const pending = new Map();
  const listeners = new Map();

  function onMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "reply") {
      const entry = pending.get(msg.request_id);
      if (!entry) return;
      pending.delete(msg.request_id);
      entry.resolve(msg);
      return;
    }
    for (const fn of listeners.get(msg.type) ?? []) fn(msg);
  }
  model.on("msg:custom", onMessage);

  function request(message) {
    const request_id = nextId++;
    return new Promise((resolve) => {
      pending.set(request_id, { resolve });
      try {
        model.send({ ...message, request_id });
      } catch (err) {
        // The comm is gone (kernel restarted or shut down): answer instead of throwing.
        pending.delete(request_id);
        resolve({ ok: false, kind: "disconnected", error: `Disconnected from the kernel: ${err?.message ?? err}. Run the widget's cell again.` });
      }
    });
  }

  return {
    /** Ask for data; resolves with the reply ({ok, result} or {ok: false, error}). */
    query(query, args = {}) {
      return request({ type: "query", query, args });
    },
    /** Ask for an action on the latest checkpoint the widget shows (`base`). */
    action(action, args = {}) {
      return request({ type: "action", action, args, base: model.get("head")?.id ?? null });
    },
    on(type, fn) {
      if (!listeners.has(type)) listeners.set(type, []);
      listeners.get(type).push(fn);
    },
    dispose() {
      model.off("msg:custom", onMessage);
    },
  };
}
