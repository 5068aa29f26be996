import { describe, expect, it } from "vitest";
import { createChannel } from "../src/channel.js";
import { createThreadPicker, threadLabel } from "../src/thread_picker.js";
import { fakeModel, tick } from "./fake_model.js";

const q = (el, id) => el.querySelector(`[data-testid="${id}"]`);
const FOUND = [
  { thread_id: "t-1", updated_at: "", checkpoint_count: null, status: "interrupted", metadata: { team: "x" } },
  { thread_id: "t-2", updated_at: "", checkpoint_count: null, status: "idle" },
];

function setup(traits) {
  const model = fakeModel(traits, (msg) => (msg.query === "threads" ? { ok: true, result: FOUND } : { ok: true, result: {} }));
  const channel = createChannel(model);
  const acted = [];
  const act = async (action, args) => {
    acted.push({ action, args });
    return { ok: true };
  };
  const picker = createThreadPicker({ channel, model, act });
  document.body.replaceChildren(picker.el);
  return { model, el: picker.el, acted };
}

describe("thread picker", () => {
  it("on a server thread searches by metadata and status, and picks a found thread", async () => {
    const { model, el, acted } = setup({ thread_id: "t-0", thread_search: true });
    const switcher = q(el, "thread-switcher");
    expect(switcher.hidden).toBe(false);
    expect(q(el, "thread-picker").hidden).toBe(true);
    q(el, "thread-search-metadata").value = '{"team": "x"}';
    q(el, "thread-search-status").value = "interrupted";
    q(el, "thread-search-go").click();
    await tick();
    await tick();
    const sent = model.sent.filter((m) => m.query === "threads");
    expect(sent.at(-1).args).toEqual({ metadata: { team: "x" }, status: "interrupted" });
    expect(q(el, "thread-option-0").textContent).toBe("t-1 (interrupted) · team=x");
    q(el, "thread-option-1").click();
    await tick();
    expect(acted).toEqual([{ action: "select_thread", args: { thread_id: "t-2" } }]);
  });

  it("refuses metadata that is not a JSON object, sending nothing", async () => {
    const { model, el } = setup({ thread_id: "t-0", thread_search: true });
    for (const text of ["[1]", "3", "{oops"]) {
      q(el, "thread-search-metadata").value = text;
      q(el, "thread-search-go").click();
      await tick();
      expect(q(el, "thread-search-error").textContent).not.toBe("");
    }
    expect(model.sent.filter((m) => m.query === "threads")).toEqual([]);
  });

  it("shows the threads a Python search put in the picker", () => {
    const { model, el } = setup({ thread_id: "t-0", thread_search: true });
    model.set("threads", FOUND);
    expect(q(el, "thread-option-1").textContent).toBe("t-2 (idle)");
  });

  it("offers no search or switcher for a local graph's thread", () => {
    const { el } = setup({ thread_id: "t-0", thread_search: false });
    expect(q(el, "thread-switcher").hidden).toBe(true);
    expect(q(el, "thread-search-go")).toBeNull();
  });

  it("is the first screen without a thread, with the new-thread form", () => {
    const { el } = setup({ thread_id: "", thread_search: false, threads: FOUND });
    expect(q(el, "thread-picker").hidden).toBe(false);
    expect(q(el, "thread-option-0")).not.toBeNull();
    expect(q(el, "new-thread-start")).not.toBeNull();
  });
});

describe("thread picker labels", () => {
  it("shows a checkpoint count or a server thread's status, then its metadata", () => {
    expect(threadLabel({ thread_id: "a", checkpoint_count: 3 })).toBe("a (3 checkpoints)");
    expect(threadLabel({ thread_id: "b", checkpoint_count: null, status: "interrupted" })).toBe("b (interrupted)");
    expect(threadLabel({ thread_id: "c", checkpoint_count: null })).toBe("c");
    expect(threadLabel({ thread_id: "d", status: "idle", metadata: { user: "ada", n: 2 } })).toBe("d (idle) · user=ada, n=2");
  });
});
