import { describe, expect, it } from "vitest";
import { createChannel } from "../src/channel.js";
import { createInterruptPanel } from "../src/interrupts.js";
import { fakeModel, tick } from "./fake_model.js";

const q = (el, id) => el.querySelector(`[data-testid="${id}"]`);

function panel(interrupts, head = { id: "c1" }) {
  const model = fakeModel({ head });
  const p = createInterruptPanel({ channel: createChannel(model) });
  document.body.replaceChildren(p.el);
  p.render(interrupts);
  return { model, el: p.el };
}

describe("interrupt panel", () => {
  it("answers an options interrupt with one click, as a resume map on the shown checkpoint", async () => {
    const { model, el } = panel([{ id: "i1", node: "n", kind: "options", value: { options: ["yes", "no"] }, options: ["yes", "no"] }]);
    q(el, "interrupt-option-0-1").click();
    await tick();
    expect(model.sent).toEqual([{ type: "action", action: "resume", args: { answers: { i1: "no" } }, base: "c1", request_id: 1 }]);
  });

  it("sends one map answering several parallel interrupts together", async () => {
    const { model, el } = panel([
      { id: "a", node: "x", kind: "text", value: "name?" },
      { id: "b", node: "y", kind: "json", value: { q: 1 } },
    ]);
    q(el, "interrupt-text-0").value = "Ada";
    q(el, "interrupt-json-1").value = '{"n": 2}';
    q(el, "interrupt-submit").click();
    await tick();
    expect(model.sent[0].args.answers).toEqual({ a: "Ada", b: { n: 2 } });
  });

  it("keeps what the user typed when the same questions are shown again", () => {
    const model = fakeModel({ head: { id: "c1" } });
    const p = createInterruptPanel({ channel: createChannel(model) });
    document.body.replaceChildren(p.el);
    const asked = [
      { id: "a", node: "x", kind: "text", value: "name?" },
      { id: "b", node: "y", kind: "json", value: { q: 1 } },
    ];
    p.render(asked);
    q(p.el, "interrupt-text-0").value = "Ada";
    p.render([{ ...asked[0], carried: true }, asked[1]]);
    expect(q(p.el, "interrupt-text-0").value).toBe("Ada");
    p.render([{ id: "c", node: "x", kind: "text", value: "name?" }]);
    expect(q(p.el, "interrupt-text-0").value).toBe("");
  });

  it("marks a question asked before a state edit, and only that one", () => {
    const { el } = panel([
      { id: "a", node: "review", kind: "text", value: "ok?", carried: true },
      { id: "b", node: "other", kind: "text", value: "fresh?" },
    ]);
    expect(q(el, "interrupt-carried-0").textContent).toContain("Asked before your edit");
    expect(q(el, "interrupt-carried-0").textContent).toContain("re-runs review");
    expect(q(el, "interrupt-carried-1")).toBeNull();
  });

  it("shows an inline error and sends nothing when a JSON answer is invalid", async () => {
    const { model, el } = panel([{ id: "a", node: "x", kind: "json", value: 1 }]);
    q(el, "interrupt-json-0").value = "{not json";
    q(el, "interrupt-submit").click();
    await tick();
    expect(model.sent).toEqual([]);
    expect(q(el, "interrupt-error-0").textContent).toMatch(/Invalid JSON/);
  });

  it("builds HumanInTheLoopMiddleware decisions: approve, edit with new args, reject with a reason", async () => {
    const actions = [
      { name: "send", args: { to: "a" }, description: "", allowed: ["approve", "edit", "reject"] },
      { name: "pay", args: { n: 1 }, description: "", allowed: ["approve", "edit", "reject"] },
      { name: "drop", args: {}, description: "", allowed: ["approve", "reject"] },
    ];
    const { model, el } = panel([{ id: "h", node: "model", kind: "hitl", value: {}, actions }]);
    q(el, "decision-0-1-edit").click();
    q(el, "edit-args-0-1").value = '{"n": 5}';
    q(el, "decision-0-2-reject").click();
    q(el, "decision-message-0-2").value = "no";
    expect(q(el, "decision-0-2-edit")).toBeNull();
    q(el, "interrupt-submit").click();
    await tick();
    expect(model.sent[0].args.answers.h).toEqual({
      decisions: [{ type: "approve" }, { type: "edit", edited_action: { name: "pay", args: { n: 5 } } }, { type: "reject", message: "no" }],
    });
  });

  it("answers a per-call tool approval with a single decision", async () => {
    const actions = [{ name: "ask", args: {}, description: "", allowed: ["respond"] }];
    const { model, el } = panel([{ id: "t", node: "tools", kind: "tool_approval", value: {}, actions }]);
    q(el, "decision-message-0-0").value = "blue";
    q(el, "interrupt-submit").click();
    await tick();
    expect(model.sent[0].args.answers.t).toEqual({ type: "respond", message: "blue" });
  });

  it("shows an HTML/script payload as text, never as markup", () => {
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const { el } = panel([{ id: "x", node: "n", kind: "options", value: { question: evil, options: [evil] }, options: [evil] }]);
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("script")).toBeNull();
    expect(el.textContent).toContain(evil);
    expect(window.pwned).toBeUndefined();
  });
});

describe("answers only the question the user saw", () => {
  it("ignores clicks on a question that replaced the one just answered, until it was visible long enough", async () => {
    const { createInterruptPanel, ARM_DELAY_MS } = await import("../src/interrupts.js");
    const sent = [];
    let clock = 0;
    const channel = { action: async (action, args) => (sent.push(args), { ok: true }) };
    const panel = createInterruptPanel({ channel, now: () => clock });
    const question = (id) => [{ id, kind: "options", node: "ask", value: `question ${id}`, options: ["yes", "no"] }];
    panel.render(question("q1"));
    panel.el.querySelector("[data-testid='interrupt-option-0-0']").click();
    await Promise.resolve();
    panel.el.querySelector("[data-testid='interrupt-option-0-0']").click(); // second click, same question: busy
    clock += 50;
    panel.render(question("q2")); // the kernel already asks the next question
    panel.el.querySelector("[data-testid='interrupt-option-0-0']").click(); // third click, 50 ms later
    panel.el.querySelector("[data-testid='interrupt-submit']").click();
    expect(sent).toEqual([{ answers: { q1: "yes" } }]);
    clock += ARM_DELAY_MS;
    panel.el.querySelector("[data-testid='interrupt-option-0-1']").click();
    expect(sent).toEqual([{ answers: { q1: "yes" } }, { answers: { q2: "no" } }]);
  });
});

describe("parallel interrupts", () => {
  it("can be answered one at a time", async () => {
    const { createInterruptPanel } = await import("../src/interrupts.js");
    const sent = [];
    const channel = { action: async (action, args) => (sent.push(args), { ok: true }) };
    const panel = createInterruptPanel({ channel });
    panel.render([
      { id: "L", kind: "text", node: "left", value: "value for left?" },
      { id: "R", kind: "text", node: "right", value: "value for right?" },
    ]);
    panel.el.querySelector("[data-testid='interrupt-text-1']").value = "r";
    panel.el.querySelector("[data-testid='interrupt-submit-1']").click();
    await Promise.resolve();
    expect(sent).toEqual([{ answers: { R: "r" } }]);
  });
});
