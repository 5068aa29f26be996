import { describe, expect, it } from "vitest";
import { createChannel } from "../src/channel.js";
import { createDiagram } from "../src/diagram.js";
import { applyOps } from "../src/patch.js";
import { createTimeline, rowTitle } from "../src/timeline.js";
import { fakeLayout, fakeModel, tick } from "./fake_model.js";

const DOT = "digraph {\n\t__start__ [label=start]\n\ta [label=a]\n\tb [label=b]\n}";

describe("diagram", () => {
  it("restyles nodes by status and breakpoints without laying the graph out again", async () => {
    const calls = [];
    const d = createDiagram({ layout: fakeLayout(calls) });
    await d.render(DOT);
    d.setStatus({ a: "visited", b: "running" });
    d.setStatus({ a: "visited", b: "interrupted" });
    d.setBreakpoints({ before: ["a"], after: [] });
    expect(calls.length).toBe(1);
    expect(d.nodeElement("b").classList.contains("hn-status-interrupted")).toBe(true);
    expect(d.nodeElement("b").classList.contains("hn-status-running")).toBe(false);
    expect(d.nodeElement("a").classList.contains("hn-bp-before")).toBe(true);
    expect(d.nodeElement("__start__")).toBeUndefined();
  });

  it("selects a node by click or keyboard", async () => {
    const picked = [];
    const d = createDiagram({ layout: fakeLayout([]), onSelect: (id) => picked.push(id) });
    await d.render(DOT);
    d.nodeElement("a").dispatchEvent(new MouseEvent("click", { bubbles: true }));
    d.nodeElement("b").dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(picked).toEqual(["a", "b"]);
    expect(d.nodeElement("a").getAttribute("tabindex")).toBe("0");
  });

  it("shows a layout failure as an error instead of breaking the widget", async () => {
    const d = createDiagram({ layout: async () => { throw new Error("bad dot"); } });
    await d.render("digraph {");
    expect(d.el.querySelector('[data-testid="diagram-error"]').textContent).toContain("bad dot");
  });
});

describe("state patches", () => {
  it("applies set, delete and append like the kernel's diff", () => {
    const before = { a: 1, b: { c: [1] }, gone: true };
    const ops = [
      { op: "set", path: ["a"], value: 2 },
      { op: "append", path: ["b", "c"], items: [2, 3] },
      { op: "delete", path: ["gone"] },
    ];
    expect(applyOps(before, ops)).toEqual({ a: 2, b: { c: [1, 2, 3] } });
    expect(before.a).toBe(1);
  });
});

describe("timeline", () => {
  const summary = (i) => ({ id: `c${i}`, parent: `c${i + 1}`, step: 10000 - i, source: "loop", writers: ["n"], writes: { n: "{}" }, next: [], interrupts: 0, errors: 0, lane: 0, fork: false });

  it("keeps the DOM small at 10,000 checkpoints and fetches pages on demand", async () => {
    const model = fakeModel({}, (msg) => ({ ok: true, result: { items: Array.from({ length: msg.args.limit }, (_, k) => summary(msg.args.offset + k)), offset: msg.args.offset, size: 10000 } }));
    const t = createTimeline({ channel: createChannel(model) });
    document.body.replaceChildren(t.el);
    t.load([summary(0), summary(1)], 10000);
    expect(t.renderedRows()).toBeLessThan(60);
    const viewport = t.el.querySelector('[data-testid="history-list"]');
    viewport.scrollTop = 5000 * 26;
    viewport.dispatchEvent(new Event("scroll"));
    await tick();
    expect(model.sent.map((m) => m.args.offset)).toContain(4900);
    expect(t.renderedRows()).toBeLessThan(60);
    expect(viewport.querySelector('[data-checkpoint-id="c5000"]')).not.toBeNull();
  });

  it("prepends new checkpoints and marks forks", () => {
    const model = fakeModel();
    const t = createTimeline({ channel: createChannel(model) });
    t.load([summary(0)], 1);
    t.add([{ ...summary(-1), id: "f", fork: true, lane: 1 }], 2);
    const first = t.el.querySelector('[data-index="0"]');
    expect(first.dataset.checkpointId).toBe("f");
    expect(first.classList.contains("hn-fork")).toBe(true);
    expect(model.sent).toEqual([]);
  });

  it("redraws a checkpoint whose summary changed in place", () => {
    const t = createTimeline({ channel: createChannel(fakeModel()) });
    document.body.replaceChildren(t.el);
    t.load([{ ...summary(0), writers: [], next: ["a", "b"], interrupts: 2 }], 1);
    t.add([], 1, [{ ...summary(0), writers: [], next: ["b"], interrupts: 1 }]);
    const row = t.el.querySelector('[data-index="0"]');
    expect(row.textContent).toContain("→ b");
    expect(row.textContent).toContain("interrupts: 1");
  });

  it("titles a row with its whole text, which a narrow timeline cuts", () => {
    const item = { ...summary(0), id: "1f0-very-long-checkpoint-id", writers: ["a_long_node_name"], interrupts: 2, writes: { a_long_node_name: '{"x": 1}' } };
    const t = createTimeline({ channel: createChannel(fakeModel()) });
    document.body.replaceChildren(t.el);
    t.load([item], 1);
    const row = t.el.querySelector('[data-index="0"]');
    expect(row.title).toBe(rowTitle(item, "a_long_node_name"));
    expect(row.title.split("\n")).toEqual([
      "#10000 · loop · a_long_node_name · interrupts: 2 · checkpoint 1f0-very-long-checkpoint-id",
      'a_long_node_name: {"x": 1}',
    ]);
  });
});
