import { describe, expect, it } from "vitest";
import { createChannel } from "../src/channel.js";
import { EDITOR_HASH } from "../src/code_editor.js";
import { CODE_EDITOR_CHARS, createStateEditor } from "../src/state_editor.js";
import { fakeModel, tick } from "./fake_model.js";

const q = (el, id) => el.querySelector(`[data-testid="${id}"]`);

function editor(view) {
  const model = fakeModel({ head: { id: "h1" }, nodes: ["a", "b", "sub:inner"] });
  const ed = createStateEditor({ channel: createChannel(model), model });
  ed.load(view);
  return { model, el: ed.el };
}

describe("state editor", () => {
  it("rejects invalid JSON inline and sends nothing", async () => {
    const { model, el } = editor({ id: "h1", values: { a: 1 }, is_head: true });
    q(el, "state-json").value = '{"a": ';
    q(el, "state-save").click();
    await tick();
    expect(model.sent).toEqual([]);
    expect(q(el, "state-error").textContent).toMatch(/Invalid JSON/);
  });

  it("rejects a non-object state", async () => {
    const { model, el } = editor({ id: "h1", values: { a: 1 }, is_head: true });
    q(el, "state-json").value = "[1, 2]";
    q(el, "state-save").click();
    await tick();
    expect(model.sent).toEqual([]);
    expect(q(el, "state-error").textContent).toMatch(/JSON object/);
  });

  it("sends only the changed keys with the chosen as_node", async () => {
    const { model, el } = editor({ id: "h1", values: { a: 1, big: [1, 2, 3] }, is_head: true });
    q(el, "state-json").value = '{"a": 2, "big": [1, 2, 3]}';
    q(el, "state-as-node").value = "b";
    q(el, "state-save").click();
    await tick();
    expect(model.sent[0]).toMatchObject({ action: "update_state", args: { values: { a: 2 }, as_node: "b" }, base: "h1" });
  });

  it("offers only top-level nodes for as_node", () => {
    const { el } = editor({ id: "h1", values: {}, is_head: true });
    const options = [...q(el, "state-as-node").options].map((o) => o.value);
    expect(options).toEqual(["", "a", "b"]);
  });

  it("forks when the shown checkpoint is a past one", async () => {
    const { model, el } = editor({ id: "old", values: { a: 1 }, is_head: false });
    q(el, "state-json").value = '{"a": 9}';
    q(el, "state-save").click();
    await tick();
    expect(model.sent[0]).toMatchObject({ action: "fork", args: { checkpoint_id: "old", values: { a: 9 }, as_node: null } });
  });
});

describe("fork from a past checkpoint", () => {
  it("names the new checkpoint afterwards and a second quick click sends no second fork", async () => {
    const model = fakeModel({ head: { id: "h1" }, nodes: ["a"] }, (msg) => (msg.action === "fork" ? { ok: true, result: { head: { id: "fork-123456789" } } } : { ok: true, result: {} }));
    const forked = [];
    const ed = createStateEditor({ channel: createChannel(model), model, onForked: (head) => forked.push(head.id) });
    ed.load({ id: "past-000000001", values: { a: 1 }, is_head: false });
    q(ed.el, "state-json").value = '{"a": 2}';
    q(ed.el, "state-save").click();
    expect(q(ed.el, "state-save").disabled).toBe(true);
    expect(ed.el.getAttribute("aria-busy")).toBe("true");
    expect(q(ed.el, "state-busy").hidden).toBe(false);
    q(ed.el, "state-save").click();
    await tick();
    await tick();
    expect(model.sent.filter((m) => m.action === "fork")).toHaveLength(1);
    expect(q(ed.el, "state-title").textContent).toContain("56789");
    expect(q(ed.el, "state-title").textContent).toContain("(latest)");
    expect(q(ed.el, "state-save").textContent).toBe("Save");
    expect(forked).toEqual(["fork-123456789"]);
    expect(q(ed.el, "state-busy").hidden).toBe(true);
  });
});

describe("deep nesting", () => {
  it("is refused with a visible error instead of vanishing in the kernel", async () => {
    const { MAX_DEPTH, nestingDepth } = await import("../src/state_editor.js");
    let deep = 1;
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = [deep];
    expect(nestingDepth({ a: deep })).toBe(MAX_DEPTH + 6);
    const { model, el } = editor({ id: "h1", values: { a: 1 }, is_head: true });
    q(el, "state-json").value = JSON.stringify({ a: deep });
    q(el, "state-save").click();
    await tick();
    expect(model.sent).toEqual([]);
    expect(q(el, "state-error").textContent).toMatch(/nested 506 levels deep; at most 500/);
  });
});

describe("schema warnings", () => {
  it("shows the kernel's warnings and saves the same values on the second click", async () => {
    let calls = 0;
    const model = fakeModel({ head: { id: "h1" }, nodes: ["a"] }, (msg) => (msg.action === "update_state" ? (++calls === 1 ? { ok: false, kind: "confirm", error: "values that do not match the state schema:\ncount: the schema says int", warnings: ["count"] } : { ok: true, result: {} }) : { ok: true, result: {} }));
    const ed = createStateEditor({ channel: createChannel(model), model });
    ed.load({ id: "h1", values: { count: 1 }, is_head: true });
    q(ed.el, "state-json").value = '{"count": "two"}';
    q(ed.el, "state-save").click();
    await tick();
    await tick();
    expect(q(ed.el, "state-error").textContent).toContain("count: the schema says int");
    expect(q(ed.el, "state-save").textContent).toBe("Save anyway");
    expect(model.sent.at(-1).args.confirm).toBe(false);
    q(ed.el, "state-save").click();
    await tick();
    await tick();
    expect(model.sent.at(-1).args.confirm).toBe(true);
    expect(q(ed.el, "state-error").textContent).toBe("");
    expect(q(ed.el, "state-save").textContent).toBe("Save");
  });
});

describe("code editor", () => {
  const CACHE = Symbol.for("hitl-notebook.code-editor");
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  it("shows where the JSON is invalid while typing, before Save", async () => {
    const { el } = editor({ id: "h1", values: { a: 1 }, is_head: true });
    q(el, "state-json").value = '{\n  "a": 1,\n  "b": \n}';
    q(el, "state-json").dispatchEvent(new Event("input"));
    await wait(400);
    expect(q(el, "state-error").textContent).toMatch(/^Invalid JSON at line 4, column 1: /);
    q(el, "state-json").value = '{"a": 2}';
    q(el, "state-json").dispatchEvent(new Event("input"));
    await wait(400);
    expect(q(el, "state-error").textContent).toBe("");
  });

  it("is asked of the kernel once for every widget on the page; the text box stays when it does not load", async () => {
    globalThis[CACHE]?.clear();
    const big = { rows: "x".repeat(CODE_EDITOR_CHARS) };
    const models = [1, 2].map(() => fakeModel({ head: { id: "h1" } }, (msg) => (msg.query === "editor_module" ? { ok: false, error: "no kernel" } : { ok: true, result: {} })));
    const eds = models.map((model) => createStateEditor({ channel: createChannel(model), model }));
    eds.forEach((ed) => ed.load({ id: "h1", values: big, is_head: true }));
    await tick();
    await tick();
    expect(models.flatMap((m) => m.sent).filter((m) => m.query === "editor_module")).toHaveLength(1);
    for (const ed of eds) {
      expect(q(ed.el, "state-json").tagName).toBe("TEXTAREA");
      expect(JSON.parse(q(ed.el, "state-json").value)).toEqual(big);
      expect(q(ed.el, "state-error").textContent).toBe("The code editor did not load (no kernel); the plain text box stays.");
    }
  });

  it("keeps a big state out of the text box while the code editor loads (laying megabytes out there froze the page for seconds)", async () => {
    /** @type {(module: any) => void} */
    let arrive = () => {};
    const made = [];
    const fakeEditor = {
      createJsonEditor({ parent, text }) {
        const dom = document.createElement("div");
        parent.append(dom);
        made.push(text);
        return { value: text, focus() {} };
      },
    };
    globalThis[CACHE] = new Map([[EDITOR_HASH, new Promise((resolve) => (arrive = resolve))]]);
    const big = { rows: "x".repeat(CODE_EDITOR_CHARS) };
    const { el } = editor({ id: "h1", values: big, is_head: true });
    const box = q(el, "state-json");
    expect(box.value).toBe("");
    expect(box.readOnly).toBe(true);
    expect(box.placeholder).toMatch(/^Opening 0\.1 MB of state in the code editor/);
    arrive(fakeEditor);
    await tick();
    expect(made).toHaveLength(1);
    expect(JSON.parse(made[0])).toEqual(big);
    expect(el.querySelector("textarea")).toBe(null);
    globalThis[CACHE].clear();
  });

  it("opens in place of the text box with its text, and Save sends what it holds", async () => {
    const made = [];
    const fakeEditor = {
      createJsonEditor({ parent, text, testid }) {
        const dom = Object.assign(document.createElement("div"), { className: "fake-cm" });
        dom.dataset.testid = testid;
        parent.append(dom);
        const ed = { value: text, focus() {} };
        made.push(ed);
        return ed;
      },
    };
    globalThis[CACHE] = new Map([[EDITOR_HASH, Promise.resolve(fakeEditor)]]);
    const { el, model } = editor({ id: "h1", values: { a: 1 }, is_head: true });
    q(el, "state-code-editor").click();
    await tick();
    expect(q(el, "state-json").className).toBe("fake-cm");
    expect(el.querySelector("textarea")).toBe(null);
    expect(made[0].value).toBe('{\n  "a": 1\n}');
    made[0].value = '{"a": 5}';
    q(el, "state-save").click();
    await tick();
    expect(model.sent.find((m) => m.action === "update_state").args.values).toEqual({ a: 5 });
    globalThis[CACHE].clear();
  });
});
