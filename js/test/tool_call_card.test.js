import { describe, expect, it } from "vitest";
import { createChannel } from "../src/channel.js";
import { createInterruptPanel } from "../src/interrupts.js";
import { fakeModel, tick } from "./fake_model.js";

const q = (el, id) => el.querySelector(`[data-testid="${id}"]`);

const card = {
  id: "tool_calls:c7",
  node: "tools",
  kind: "tool_calls",
  value: { tool_calls: [] },
  actions: [
    { name: "send_email", args: { to: "a@x.org" }, call_id: "c0", allowed: ["approve", "edit", "reject"] },
    { name: "<img src=x onerror=alert(1)>", args: { n: 1 }, call_id: "c1", allowed: ["approve", "edit", "reject"] },
  ],
};

function panel() {
  const model = fakeModel({ head: { id: "c7" } });
  const p = createInterruptPanel({ channel: createChannel(model) });
  document.body.replaceChildren(p.el);
  p.render([card]);
  return { model, el: p.el };
}

describe("tool-call card", () => {
  it("shows each call's name and arguments, approved unless changed", async () => {
    const { model, el } = panel();
    expect(q(el, "tool-call-name-0-0").textContent).toBe("send_email");
    expect(JSON.parse(q(el, "tool-call-args-0-0").value)).toEqual({ to: "a@x.org" });
    expect(q(el, "tool-call-approve-0-0").getAttribute("aria-pressed")).toBe("true");
    q(el, "interrupt-submit").click();
    await tick();
    expect(model.sent[0].args.answers).toEqual({ "tool_calls:c7": { decisions: [{ type: "approve" }, { type: "approve" }] } });
  });

  it("typing new arguments makes an edit; reject sends the reason", async () => {
    const { model, el } = panel();
    const args = q(el, "tool-call-args-0-0");
    args.value = '{"to": "boss@x.org"}';
    args.dispatchEvent(new Event("input"));
    expect(q(el, "tool-call-edit-0-0").getAttribute("aria-pressed")).toBe("true");
    q(el, "tool-call-reject-0-1").click();
    q(el, "tool-call-reason-0-1").value = "too risky";
    q(el, "interrupt-submit").click();
    await tick();
    expect(model.sent[0].args.answers["tool_calls:c7"].decisions).toEqual([
      { type: "edit", args: { to: "boss@x.org" } },
      { type: "reject", message: "too risky" },
    ]);
  });

  it("refuses arguments that are not a JSON object, naming the tool, and sends nothing", async () => {
    const { model, el } = panel();
    q(el, "tool-call-edit-0-0").click();
    q(el, "tool-call-args-0-0").value = "[1, 2]";
    q(el, "interrupt-submit").click();
    await tick();
    expect(model.sent).toEqual([]);
    expect(q(el, "interrupt-error-0").textContent).toMatch(/send_email: the arguments must be a JSON object/);
  });

  it("renders a tool name as text, never as HTML", () => {
    const { el } = panel();
    expect(q(el, "tool-call-name-0-1").textContent).toBe("<img src=x onerror=alert(1)>");
    expect(el.querySelector("img")).toBeNull();
  });
});
