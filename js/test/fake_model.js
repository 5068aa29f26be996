// A stand-in for anywidget's model: traits, change events, custom messages, and a log of
// what the widget sent (replies are scripted per test).

export function fakeModel(traits = {}, respond = () => ({ ok: true, result: {} })) {
  const values = { node_status: {}, breakpoints: { before: [], after: [] }, interrupts: [], nodes: [], head: {}, threads: [], thread_id: "t", status: "idle", error: "", notice: "", graph_svg: "", ...traits };
  const handlers = new Map();
  const sent = [];
  const model = {
    sent,
    get: (name) => values[name],
    set(name, value) {
      values[name] = value;
      for (const fn of handlers.get(`change:${name}`) ?? []) fn();
    },
    on(event, fn) {
      if (!handlers.has(event)) handlers.set(event, []);
      handlers.get(event).push(fn);
    },
    off(event, fn) {
      handlers.set(event, (handlers.get(event) ?? []).filter((f) => f !== fn));
    },
    send(msg) {
      sent.push(msg);
      const reply = respond(msg);
      if (reply) queueMicrotask(() => model.emit({ type: "reply", request_id: msg.request_id, ...reply }));
    },
    emit(msg) {
      for (const fn of handlers.get("msg:custom") ?? []) fn(msg);
    },
  };
  return model;
}

export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A Graphviz-like SVG for tests: one <g class="node"><title>id</title>… per node. */
export function fakeLayout(calls) {
  return async (dot) => {
    calls.push(dot);
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    for (const match of dot.matchAll(/^\s*(\w+) \[label/gm)) {
      const g = document.createElementNS("http://www.w3.org/2000/svg", "g");
      g.setAttribute("class", "node hn-node");
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = match[1];
      g.append(title, document.createElementNS("http://www.w3.org/2000/svg", "polygon"));
      svg.append(g);
    }
    return svg;
  };
}
