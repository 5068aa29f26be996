import { describe, expect, it } from "vitest";
import { createChannel } from "../src/channel.js";
import { createErrorDetail } from "../src/error_detail.js";
import { createRunPanel, formatSeconds } from "../src/run_panel.js";
import { fakeModel, tick } from "./fake_model.js";

const q = (el, id) => el.querySelector(`[data-testid="${id}"]`);

function setup(progress = {}) {
  const model = fakeModel({ progress });
  let clock = 1000;
  const panel = createRunPanel({ channel: createChannel(model), model, now: () => clock });
  return { model, panel, advance: (ms) => (clock += ms) };
}

describe("run panel", () => {
  it("is hidden before the first run", () => {
    const { panel } = setup({});
    expect(panel.el.hidden).toBe(true);
  });

  it("shows running nodes, steps and an elapsed time that keeps counting", async () => {
    const { model, panel, advance } = setup();
    model.set("progress", { active: true, stopping: false, started: 1, elapsed: 1500, steps: 3, step: 2, nodes: { a: { state: "visited", took: 300 }, b: { state: "running", took: 1000 } } });
    expect(panel.el.hidden).toBe(false);
    expect(q(panel.el, "run-steps").textContent).toBe("step 2");
    expect(q(panel.el, "run-elapsed").textContent).toBe("1.5 s");
    expect(q(panel.el, "run-node-b").textContent).toContain("running");
    expect(q(panel.el, "btn-stop").hidden).toBe(false);
    advance(2000);
    await new Promise((resolve) => setTimeout(resolve, 450)); // the panel's own redraw tick
    panel.dispose();
    expect(q(panel.el, "run-elapsed").textContent).toBe("3.5 s");
    expect(q(panel.el, "run-node-b").textContent).toContain("3.0 s");
    expect(q(panel.el, "run-node-a").textContent).toContain("0.3 s");
  });

  it("opened mid-run, asks the kernel for the durations as of now", async () => {
    const held = { active: true, stopping: false, started: 7, elapsed: 400, steps: 1, step: 0, nodes: { slow: { state: "running", took: 100 } } };
    const later = { ...held, elapsed: 65_000, nodes: { slow: { state: "running", took: 64_700 } } };
    const model = fakeModel({ progress: held }, (msg) => (msg.query === "progress" ? { ok: true, result: later } : { ok: true, result: {} }));
    const panel = createRunPanel({ channel: createChannel(model), model, now: () => 0 });
    expect(q(panel.el, "run-elapsed").textContent).toBe("0.4 s");
    await tick();
    panel.dispose();
    expect(model.sent.map((msg) => msg.query)).toEqual(["progress"]);
    expect(q(panel.el, "run-elapsed").textContent).toBe("1 min 05 s");
    expect(q(panel.el, "run-node-slow").textContent).toContain("1 min 04 s");
  });

  it("sends stop and shows that it is stopping", async () => {
    const { model, panel } = setup({ active: true, started: 1, elapsed: 0, steps: 0, nodes: {} });
    q(panel.el, "btn-stop").click();
    expect(model.sent.at(-1)).toMatchObject({ type: "action", action: "stop" });
    expect(q(panel.el, "btn-stop").textContent).toBe("Stopping…");
    model.set("progress", { active: false, started: 1, elapsed: 10, steps: 1, nodes: {} });
    await tick();
    expect(q(panel.el, "btn-stop").hidden).toBe(true);
  });

  it("grows one message per id from streamed tokens, as text", () => {
    const { model, panel } = setup({ active: true, started: 1, elapsed: 0, steps: 0, nodes: {} });
    model.emit({ type: "tokens", items: [{ node: "model", id: "m1", text: "Hello " }] });
    model.emit({ type: "tokens", items: [{ node: "model", id: "m1", text: "<b>world</b>" }, { node: "model", id: "m2", text: "again" }] });
    const texts = [...panel.el.querySelectorAll("[data-testid='run-message-text']")].map((n) => n.textContent);
    expect(texts).toEqual(["Hello <b>world</b>", "again"]);
    expect(panel.el.querySelector("b")).toBeNull();
  });

  it("formats durations", () => {
    expect(formatSeconds(0)).toBe("0.0 s");
    expect(formatSeconds(61500)).toBe("1 min 01 s");
  });
});

describe("error detail", () => {
  it("names the node and folds the traceback", () => {
    const model = fakeModel({ error_detail: {} });
    const { el } = createErrorDetail({ model });
    expect(el.hidden).toBe(true);
    model.set("error_detail", { node: "b", type: "RuntimeError", message: "b <exploded>", traceback: "Traceback...\nRuntimeError: b <exploded>" });
    expect(el.hidden).toBe(false);
    expect(q(el, "error-headline").textContent).toBe("RuntimeError in node b: b <exploded>");
    expect(q(el, "error-traceback").open).toBe(false);
    expect(q(el, "error-traceback").textContent).toContain("RuntimeError: b <exploded>");
  });
});

describe("run panel after the kernel is lost", () => {
  it("stops the clock, drops Stop and says the run's fate is unknown", async () => {
    const { model, panel, advance } = setup();
    model.set("progress", { active: true, stopping: false, started: 1, elapsed: 1500, steps: 1, step: 0, nodes: { slow: { state: "running", took: 1000 } } });
    advance(200);
    await new Promise((resolve) => setTimeout(resolve, 450)); // the clock ticks to 1.7 s
    panel.disconnected();
    advance(60_000);
    model.set("progress", { ...model.get("progress") }); // the same run's last state again
    await new Promise((resolve) => setTimeout(resolve, 450)); // a redraw tick, if any
    panel.dispose();
    expect(q(panel.el, "run-elapsed").textContent).toBe("1.7 s");
    expect(q(panel.el, "run-node-slow").textContent).toContain("1.2 s");
    expect(q(panel.el, "btn-stop").hidden).toBe(true);
    expect(q(panel.el, "run-summary").textContent).toBe("Run lost with the kernel connection");
    expect(panel.el.dataset.state).toBe("lost");
  });
});

describe("connection watch", () => {
  it("tells its listener when the connection is lost and found again", async () => {
    const { createConnectionWatch } = await import("../src/connection.js");
    let alive = false;
    const seen = [];
    const model = fakeModel({}, (msg) => (alive ? { ok: true, result: {} } : null));
    const watch = createConnectionWatch({ channel: createChannel(model), model, timeoutMs: 30, onChange: (connected) => seen.push(connected) });
    await watch.check();
    alive = true;
    await watch.check();
    expect(seen).toEqual([false, true]);
  });

  it("says disconnected when the kernel side stops answering after a connection change", async () => {
    const { createConnectionWatch } = await import("../src/connection.js");
    let alive = true;
    const model = fakeModel({}, (msg) => (alive ? { ok: true, result: { thread_id: "t" } } : null));
    const watch = createConnectionWatch({ channel: createChannel(model), model, timeoutMs: 30 });
    expect(watch.el.hidden).toBe(true);
    alive = false; // the kernel restarted: nothing answers any more
    expect(await watch.check()).toBe(false);
    expect(watch.el.hidden).toBe(false);
    expect(watch.el.textContent).toContain("Disconnected");
    alive = true;
    expect(await watch.check()).toBe(true);
    expect(watch.el.hidden).toBe(true);
  });
});

describe("bidi controls", () => {
  it("are shown escaped, and the escaped JSON parses back to the same value", async () => {
    const { pretty } = await import("../src/dom.js");
    const { jsonView } = await import("../src/json_view.js");
    const value = { note: "abc\u202Edef", ["k\u2067"]: 1 };
    const text = pretty(value);
    expect(text).toContain("abc\\u202edef");
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(JSON.parse(text)).toEqual(value);
    const view = jsonView(value);
    expect(view.textContent).toContain("abc\\u202edef");
    expect(view.textContent).toContain("k\\u2067");
    expect(view.textContent).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
});
