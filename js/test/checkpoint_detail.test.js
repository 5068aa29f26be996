import { describe, expect, it } from "vitest";
import { createChannel } from "../src/channel.js";
import { createCheckpointDetail } from "../src/timeline.js";
import { fakeModel, tick } from "./fake_model.js";

const q = (el, id) => el.querySelector(`[data-testid="${id}"]`);
const ITEM = { id: "c1", step: 1, source: "loop", writes: {} };

function setup() {
  const held = [];
  const model = fakeModel({ status: "done" }, (msg) => (msg.type === "action" ? void held.push(msg) : { ok: true, result: {} }));
  const detail = createCheckpointDetail({ channel: createChannel(model), model });
  detail.show(ITEM);
  return { model, held, el: detail.el, detail };
}

describe("checkpoint detail actions", () => {
  it("sends one fork for a triple click and says Forked until the row is selected again", async () => {
    const { model, held, el, detail } = setup();
    for (let i = 0; i < 3; i++) q(el, "checkpoint-fork").click();
    q(el, "checkpoint-replay").click();
    expect(held.map((msg) => msg.action)).toEqual(["fork"]);
    model.emit({ type: "reply", request_id: held[0].request_id, ok: true, result: {} });
    await tick();
    expect(q(el, "checkpoint-fork").disabled).toBe(true);
    expect(q(el, "checkpoint-fork").textContent).toBe("Forked");
    expect(q(el, "checkpoint-replay").disabled).toBe(false);
    detail.show(ITEM);
    expect(q(el, "checkpoint-fork").disabled).toBe(false);
    expect(q(el, "checkpoint-fork").textContent).toBe("Fork here");
  });

  it("offers no replay while a run is going on", () => {
    const { model, el } = setup();
    model.set("status", "running");
    expect(q(el, "checkpoint-replay").disabled).toBe(true);
    model.set("status", "done");
    expect(q(el, "checkpoint-replay").disabled).toBe(false);
  });
});
