import { describe, expect, it, vi } from "vitest";
import { ChannelClosedError, createChannel } from "../src/channel.js";
import { mount } from "../src/index.js";
import { ACTION, QUERY } from "../src/protocol.js";
import { watchKernel } from "../src/snapshot.js";
import { fakeLayout, fakeModel, tick } from "./fake_model.js";

const silent = () => null; // a kernel that never replies (a widget restored without one)

describe("channel", () => {
  it("resolves a query the kernel does not answer in time as a timeout", async () => {
    vi.useFakeTimers();
    try {
      const channel = createChannel(fakeModel({}, silent));
      const reply = channel.query(QUERY.HISTORY, {}, { timeoutMs: 1000 });
      vi.advanceTimersByTime(1001);
      await expect(reply).resolves.toMatchObject({ ok: false, kind: "timeout" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not time out an action by default: a run can be long", async () => {
    vi.useFakeTimers();
    try {
      const model = fakeModel({}, silent);
      const channel = createChannel(model);
      let settled = false;
      channel.action(ACTION.RUN, { input: {} }).then(() => (settled = true), () => (settled = true));
      vi.advanceTimersByTime(10 * 60 * 1000);
      await Promise.resolve();
      expect(settled).toBe(false);
      model.emit({ type: "reply", request_id: model.sent[0].request_id, ok: true, result: {} });
      await Promise.resolve();
      expect(settled).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("rejects waiting requests when the view is disposed, and refuses new ones", async () => {
    const channel = createChannel(fakeModel({}, silent));
    const waiting = channel.query(QUERY.CHECKPOINT);
    channel.dispose();
    await expect(waiting).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(channel.action(ACTION.STEP)).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it("sends the action and query names of the protocol table", async () => {
    const model = fakeModel();
    const channel = createChannel(model);
    await channel.action(ACTION.RESUME, { answers: { i: 1 } });
    await channel.query(QUERY.DIFF, { a: "x" });
    expect(model.sent.map((m) => m.action ?? m.query)).toEqual(["resume", "diff"]);
  });
});

describe("a widget without a kernel", () => {
  it("says it is a snapshot, shows the line that reattaches it, and disables its controls", async () => {
    const model = fakeModel({ reattach: "show(graph, thread_id='t1')" }, silent);
    const el = document.createElement("div");
    document.body.replaceChildren(el);
    const channel = createChannel(model);
    const root = document.createElement("div");
    root.append(document.createElement("button"));
    el.append(root);
    expect(await watchKernel({ channel, model, root, timeoutMs: 10 })).toBe(true);
    const notice = el.querySelector('[data-testid="snapshot-notice"]');
    expect(notice.textContent).toContain("snapshot");
    expect(notice.querySelector("code").textContent).toBe("show(graph, thread_id='t1')");
    expect([...root.querySelectorAll("button")].every((b) => b.disabled)).toBe(true);
  });

  it("stays live when the kernel answers", async () => {
    // a kernel that answers every query (the history query with an empty page)
    const model = fakeModel({}, (msg) => ({ ok: true, result: msg.query === QUERY.HISTORY ? { items: [], size: 0, lanes: [] } : {} }));
    const el = document.createElement("div");
    const view = mount({ model, el, layout: fakeLayout([]) });
    expect(await view.detached).toBe(false);
    await tick();
    expect(el.querySelector('[data-testid="snapshot-notice"]')).toBeNull();
    view.dispose();
  });
});
