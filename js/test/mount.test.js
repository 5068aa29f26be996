import { describe, expect, it } from "vitest";
import { createChannel } from "../src/channel.js";
import { createControls } from "../src/controls.js";
import { mount } from "../src/index.js";
import { fakeLayout, fakeModel, tick } from "./fake_model.js";

const q = (el, id) => el.querySelector(`[data-testid="${id}"]`);

function setup() {
  const state = { c1: { a: 1, log: ["x"] } };
  const model = fakeModel(
    { thread_id: "t", head: { id: "c1", step: 1 }, nodes: ["a"], graph_svg: "digraph {\n\ta [label=a]\n}", node_status: { a: "next" }, status: "paused" },
    (msg) => {
      if (msg.query === "checkpoint") return { ok: true, result: { id: "c1", values: state.c1, is_head: true, summary: {} } };
      if (msg.query === "history") return { ok: true, result: { items: [], size: 0, offset: 0 } };
      return { ok: true, result: {} };
    },
  );
  const el = document.createElement("div");
  document.body.replaceChildren(el);
  const view = mount({ model, el, layout: fakeLayout([]) });
  return { model, el, view };
}

describe("composed widget", () => {
  it("renders every panel with its test ids and the node status", async () => {
    const { el, view } = setup();
    await view.rendered;
    await tick();
    for (const id of ["hitl-widget", "diagram", "interrupt-panel", "state-editor", "history", "run-log", "status", "btn-step", "btn-continue"]) {
      expect(q(el, id), id).not.toBeNull();
    }
    expect(q(el, "node-a").classList.contains("hn-status-next")).toBe(true);
    expect(JSON.parse(q(el, "state-json").value)).toEqual({ a: 1, log: ["x"] });
  });

  it("applies a state patch without refetching, and shows log lines as text", async () => {
    const { model, el } = setup();
    await tick();
    const before = model.sent.length;
    model.emit({ type: "head", from: "c1", to: "c2", ops: [{ op: "append", path: ["log"], items: ["<b>y</b>"] }] });
    model.emit({ type: "log", stream: "stdout", text: "<script>bad()</script>" });
    expect(JSON.parse(q(el, "state-json").value)).toEqual({ a: 1, log: ["x", "<b>y</b>"] });
    expect(model.sent.length).toBe(before);
    expect(q(el, "run-log").textContent).toContain("<script>bad()</script>");
    expect(el.querySelector("script")).toBeNull();
  });

  it("joins streamed tokens into one line, as text", async () => {
    const { model, el } = setup();
    await tick();
    model.emit({ type: "log", stream: "stdout", text: "before" });
    for (const text of ["Tokens", " <i>arrive</i>", " one by one"]) model.emit({ type: "log", stream: "token", text });
    model.emit({ type: "log", stream: "stdout", text: "after" });
    const lines = [...q(el, "run-log").children].map((line) => line.textContent);
    expect(lines).toEqual(["before", "Tokens <i>arrive</i> one by one", "after"]);
    expect(el.querySelector("i")).toBeNull();
  });

  it("keeps run buttons disabled while a click of theirs waits for the kernel", async () => {
    const { model, el } = setup();
    await tick();
    const held = [];
    const send = model.send;
    model.send = (msg) => (msg.type === "action" ? held.push(msg) : send(msg));
    q(el, "btn-continue").click();
    q(el, "btn-continue").click();
    q(el, "btn-step").click();
    expect(held.map((msg) => msg.action)).toEqual(["continue"]);
    for (const id of ["btn-continue", "btn-step", "btn-refresh", "btn-run"]) expect(q(el, id).disabled, id).toBe(true);
    model.emit({ type: "reply", request_id: held[0].request_id, ok: true, result: {} });
    await tick();
    for (const id of ["btn-continue", "btn-step", "btn-refresh", "btn-run"]) expect(q(el, id).disabled, id).toBe(false);
  });

  it("offers Continue and Step only when something is scheduled", async () => {
    const { model, el } = setup();
    await tick();
    for (const [status, disabled] of [["done", true], ["new", true], ["paused", false], ["error", false]]) {
      model.set("status", status);
      for (const id of ["btn-continue", "btn-step"]) expect(q(el, id).disabled, `${id} ${status}`).toBe(disabled);
      expect(q(el, "btn-run").disabled, `run ${status}`).toBe(false);
    }
  });

  it("updates the diagram when node status changes", async () => {
    const { model, el, view } = setup();
    await view.rendered;
    model.set("node_status", { a: "running" });
    expect(q(el, "node-a").classList.contains("hn-status-running")).toBe(true);
    expect(q(el, "node-a").classList.contains("hn-status-next")).toBe(false);
  });
});

describe("first timeline rows", () => {
  const row = (id, step) => ({ id, parent: null, step, source: "loop", writers: ["a"], writes: {}, next: [], interrupts: 0, errors: 0, lane: 0, fork: false });
  // As many rows as the kernel sends first (history.FIRST_PAGE): more than a viewport holds.
  const items = Array.from({ length: 40 }, (_, i) => row(`c${999 - i}`, 999 - i));
  const page = { items, size: 500, lanes: [{ lane: 0, from: "c0", to: "c999" }] };

  function open(traits) {
    const model = fakeModel({ thread_id: "t", head: { id: "c999", step: 999 }, history_size: 500, ...traits }, (msg) =>
      msg.query === "history" ? { ok: true, result: { items: [row("k2", 2), row("k1", 1)], size: 500, offset: 0, lanes: [] } } : { ok: true, result: {} },
    );
    const el = document.createElement("div");
    document.body.replaceChildren(el);
    mount({ model, el, layout: fakeLayout([]) });
    const steps = () => [...el.querySelectorAll('[data-testid="history-row"] .hn-step')].map((s) => s.textContent);
    return { model, steps };
  }

  it("draws the rows that came with the widget's state at once, asking for no page", () => {
    const { model, steps } = open({ history_page: page });
    expect(steps().slice(0, 3)).toEqual(["#999", "#998", "#997"]);
    expect(steps().length).toBeGreaterThan(10);
    expect(model.sent.filter((m) => m.query === "history")).toEqual([]);
  });

  it("asks for the first page when the history moved on since those rows were sent", async () => {
    for (const traits of [{ history_page: {} }, { history_page: page, history_size: 501 }, { history_page: page, head: { id: "c10" } }]) {
      const { model, steps } = open(traits);
      expect(steps()).toEqual([]);
      expect(model.sent.filter((m) => m.query === "history")).toHaveLength(1);
      await tick();
      expect(steps()).toEqual(["#2", "#1"]);
    }
  });
});

describe("selecting rows", () => {
  it("shows the head's state again when its row is selected after a past one", async () => {
    const row = (id, step) => ({ id, parent: null, step, source: "loop", writers: ["a"], writes: {}, next: [], interrupts: 0, errors: 0, lane: 0, fork: false });
    const values = { c2: { n: 2 }, c1: { n: 1 } };
    const model = fakeModel({ thread_id: "t", head: { id: "c2", step: 2 }, history_size: 2, history_page: { items: [row("c2", 2), row("c1", 1)], size: 2, lanes: [] } }, (msg) =>
      msg.query === "checkpoint" ? { ok: true, result: { id: msg.args.id ?? "c2", values: values[msg.args.id ?? "c2"], is_head: (msg.args.id ?? "c2") === "c2", summary: {} } } : { ok: true, result: {} },
    );
    const el = document.createElement("div");
    document.body.replaceChildren(el);
    mount({ model, el, layout: fakeLayout([]) });
    const rowFor = (id) => /** @type {HTMLElement} */ (el.querySelector(`[data-testid="history-row"][data-checkpoint-id="${id}"]`));
    const shown = () => JSON.parse(/** @type {HTMLTextAreaElement} */ (q(el, "state-json")).value);
    await tick();
    expect(shown()).toEqual({ n: 2 });
    rowFor("c1").click();
    await tick();
    expect(shown()).toEqual({ n: 1 });
    rowFor("c2").click();
    await tick();
    expect(shown()).toEqual({ n: 2 });
    expect(q(el, "state-title").textContent).toContain("(latest)");
  });
});

describe("toolbar after the kernel stops answering", () => {
  it("says disconnected and offers no run, whatever status the kernel last sent", async () => {
    const { model } = setup();
    const controls = createControls({ channel: createChannel(model), model });
    model.set("status", "running");
    controls.setConnected(false);
    expect(q(controls.el, "status").textContent).toBe("disconnected");
    model.set("status", "paused"); // a late status from before the restart changes nothing
    expect(q(controls.el, "status").textContent).toBe("disconnected");
    for (const id of ["btn-continue", "btn-step", "btn-refresh", "btn-run"]) expect(q(controls.el, id).disabled, id).toBe(true);
    controls.setConnected(true);
    expect(q(controls.el, "status").textContent).toBe("paused");
    expect(q(controls.el, "btn-continue").disabled).toBe(false);
  });
});
