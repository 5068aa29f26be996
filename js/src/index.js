// @ts-check
// anywidget entry point: compose the panels of one thread widget.

import { createChannel } from "./channel.js";
import { createConnectionWatch } from "./connection.js";
import { createControls } from "./controls.js";
import { createDiagram } from "./diagram.js";
import { h } from "./dom.js";
import { createErrorDetail } from "./error_detail.js";
import { createInterruptPanel } from "./interrupts.js";
import { createLog } from "./log.js";
import { createNodeDetail } from "./node_detail.js";
import { applyOps } from "./patch.js";
import { QUERY } from "./protocol.js";
import { createRunPanel } from "./run_panel.js";
import { watchKernel } from "./snapshot.js";
import { createStateEditor } from "./state_editor.js";
import { createCheckpointDetail, createTimeline } from "./timeline.js";

/**
 * Build the widget in `el`; `layout` replaces the diagram's SVG parser (tests).
 * @param {{model: any, el: HTMLElement, layout?: (svgText: string) => Promise<Element>}} options
 */
export function mount({ model, el, layout }) {
  const channel = createChannel(model);
  const controls = createControls({ channel, model });
  const onError = controls.showError;
  const nodeDetail = createNodeDetail({ channel, model, onError });
  const diagram = createDiagram({ layout, onSelect: (id) => nodeDetail.show(id) });
  const interrupts = createInterruptPanel({ channel, onError });
  const editor = createStateEditor({
    channel,
    model,
    onError,
    onForked: () => {
      viewingHead = true;
      return loadCheckpoint(null);
    },
  });
  const log = createLog();
  const runPanel = createRunPanel({ channel, model });
  const connection = createConnectionWatch({
    channel,
    model,
    onChange: (connected) => {
      controls.setConnected(connected);
      if (!connected) runPanel.disconnected();
    },
  });
  const errorDetail = createErrorDetail({ model });
  let head = { id: null, values: null };
  let viewingHead = true;

  async function loadCheckpoint(id) {
    const reply = await channel.query(QUERY.CHECKPOINT, id ? { id } : {});
    if (!reply.ok) return onError(reply.error);
    const view = reply.result;
    if (view.is_head) head = { id: view.id, values: view.values };
    // A reply still wanted: the head while the head is viewed (its row selected again
    // after a past one included), a past checkpoint while a past one is.
    if (viewingHead ? view.is_head : Boolean(id)) editor.load(view);
  }

  const detail = createCheckpointDetail({ channel, model, onError });
  const timeline = createTimeline({
    channel,
    onSelect: (item) => {
      viewingHead = item.id === model.get("head")?.id;
      detail.show(item);
      loadCheckpoint(item.id);
    },
  });

  // The timeline first: its newest rows came with the widget's state (drawn now, no round
  // trip) unless the history moved on since, when they are asked for straight away.
  if (model.get("thread_id")) {
    const first = model.get("history_page");
    if (currentPage(first, model)) timeline.load(first.items, first.size, first.lanes);
    else {
      channel.query(QUERY.HISTORY, { offset: 0, limit: 100 }).then((reply) => {
        if (reply.ok) timeline.load(reply.result.items, reply.result.size, reply.result.lanes);
      });
    }
  }

  channel.on("log", (msg) => log.add(msg.stream, msg.text));
  channel.on("history", (msg) => timeline.add(msg.added, msg.size, msg.changed, msg.lanes));
  channel.on("reset", () => {
    timeline.reset();
    detail.show(null);
    head = { id: null, values: null };
    viewingHead = true;
  });
  channel.on("head", (msg) => {
    if (msg.ops && head.values !== null && msg.from === head.id) {
      head = { id: msg.to, values: applyOps(head.values, msg.ops) };
      if (viewingHead) editor.load({ id: head.id, values: head.values, is_head: true });
    } else {
      loadCheckpoint(null);
    }
  });

  model.on("change:graph_svg", () => diagram.render(model.get("graph_svg")));
  model.on("change:node_status", () => diagram.setStatus(model.get("node_status")));
  model.on("change:breakpoints", () => diagram.setBreakpoints(model.get("breakpoints")));
  model.on("change:interrupts", () => interrupts.render(model.get("interrupts")));
  model.on("change:status", () => model.get("status") !== "running" && interrupts.release());

  const root = h(
    "div",
    { class: "hn-root", testid: "hitl-widget" },
    connection.el,
    controls.el,
    errorDetail.el,
    runPanel.el,
    h("div", { class: "hn-columns" }, h("div", { class: "hn-col" }, diagram.el, nodeDetail.el), h("div", { class: "hn-col" }, interrupts.el, editor.el)),
    h("div", { class: "hn-columns" }, h("div", { class: "hn-col" }, timeline.el, detail.el)),
    log.el,
  );
  el.append(root);
  const detached = watchKernel({ channel, model, root });

  if (model.get("thread_id")) loadCheckpoint(null);
  diagram.setStatus(model.get("node_status"));
  diagram.setBreakpoints(model.get("breakpoints"));
  const rendered = diagram.render(model.get("graph_svg")).then(() => diagram.setStatus(model.get("node_status")));
  interrupts.render(model.get("interrupts"));

  return {
    rendered,
    detached,
    dispose() {
      runPanel.dispose();
      channel.dispose();
      root.remove();
    },
  };
}

/** True when `page` (the `history_page` trait) still holds the thread's newest rows. */
export function currentPage(page, model) {
  const items = page?.items;
  return Array.isArray(items) && items.length > 0 && page.size === model.get("history_size") && items[0].id === model.get("head")?.id;
}

export default {
  render({ model, el }) {
    const view = mount({ model, el });
    return () => view.dispose();
  },
};
