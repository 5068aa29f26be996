// @ts-check
// State editor: the latest (or selected) checkpoint's values as JSON. Validated here
// before anything is sent; only top-level keys that changed are sent, as LangGraph's
// update_state (values go through the graph's reducers). Editing a past checkpoint forks.
// The text is edited in a plain text box, or in the code editor (CodeMirror: highlighting,
// parse-error markers, fast on megabytes) fetched from the kernel when the user asks for
// it or the state is big; the text box stays when it cannot load.

import { loadCodeEditor } from "./code_editor.js";
import { h, parseJSON, pretty, replaceChildren, shortId } from "./dom.js";
import { changedKeys } from "./patch.js";
import { ACTION } from "./protocol.js";

/** Deeper JSON than this is dropped by the kernel's message decoder (Python's recursion
 * limit), so it is refused here with a message instead of vanishing silently. */
export const MAX_DEPTH = 500;

/** State text longer than this opens in the code editor: a text box gets slow to type in. */
export const CODE_EDITOR_CHARS = 100_000;
/** Typing pauses this long before the text is checked (and a parse error shown). */
const CHECK_DELAY_MS = 300;

/**
 * How deeply `value` nests (iteratively: a deep value must not overflow our stack).
 * @param {unknown} value
 */
export function nestingDepth(value) {
  let deepest = 0;
  /** @type {Array<[unknown, number]>} */
  const stack = [[value, 0]];
  while (stack.length) {
    const [item, depth] = /** @type {[unknown, number]} */ (stack.pop());
    if (item === null || typeof item !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export function createStateEditor({ channel, model, onError = (/** @type {string} */ _message) => {}, onForked = (/** @type {any} */ _head) => {} }) {
  const title = h("div", { class: "hn-muted", testid: "state-title" });
  const text = h("textarea", { rows: "12", class: "hn-code", testid: "state-json", "aria-label": "State as JSON", spellcheck: "false", on: { input: () => checkSoon() } });
  const textBox = h("div", { class: "hn-state-text" }, text);
  const openCode = h("button", { testid: "state-code-editor", title: "JSON highlighting and error markers; fast on big states", on: { click: () => useCodeEditor(true) } }, "Code editor");
  const spinner = h("span", { class: "hn-spinner", testid: "state-busy", role: "status", "aria-label": "Saving", hidden: true });
  const asNode = h("select", { testid: "state-as-node", "aria-label": "Write as node" });
  const error = h("div", { class: "hn-error", testid: "state-error", role: "alert" });
  const save = h("button", { class: "hn-primary", testid: "state-save", on: { click: () => submit() } }, "Save");
  const reset = h("button", { testid: "state-reset", on: { click: () => load(view) } }, "Reset");
  const el = h(
    "section",
    { class: "hn-panel hn-state", testid: "state-editor", "aria-label": "State editor" },
    h("h3", { text: "State" }),
    title,
    textBox,
    h("div", { class: "hn-row" }, h("label", { class: "hn-inline" }, "as node ", asNode), save, spinner, reset, openCode),
    error,
  );
  let view = { id: null, values: {}, is_head: true };
  /** The code editor once open ({value, focus}); null while the text box is used. */
  let code = null;
  /** @type {Promise<any> | null} */
  let opening = null;
  let checkTimer = null;
  /** A big state's text while the code editor loads: kept out of the text box, where laying
   * out megabytes takes seconds of a frozen page (null: the text box holds the text). */
  let waiting = null;

  const currentText = () => (code ? code.value : (waiting ?? text.value));

  // Fetch and open the code editor in place of the text box, carrying the text over.
  function useCodeEditor(focus) {
    if (!opening) {
      openCode.disabled = true;
      openCode.textContent = "Loading editor…";
      opening = loadCodeEditor(channel).then(
        (module) => {
          code = module.createJsonEditor({ parent: textBox, text: currentText(), label: "State as JSON", testid: "state-json", check: showCheck });
          waiting = null;
          text.remove();
          openCode.remove();
          return code;
        },
        (err) => {
          opening = null;
          openCode.disabled = false;
          openCode.textContent = "Code editor";
          if (waiting !== null) fillTextBox(waiting);
          const why = err instanceof Error ? err.message : String(err);
          notice(`The code editor did not load (${why}); the plain text box stays.`);
          return null;
        },
      );
    }
    return opening.then((editor) => {
      if (editor && focus) editor.focus();
      return editor;
    });
  }

  function fillTextBox(shown) {
    waiting = null;
    text.value = shown;
    text.readOnly = false;
    text.placeholder = "";
  }

  function waitForCodeEditor(shown) {
    waiting = shown;
    text.value = "";
    text.readOnly = true;
    text.placeholder = `Opening ${(shown.length / 1e6).toFixed(1)} MB of state in the code editor…`;
    useCodeEditor(false);
  }

  function notice(message) {
    error.textContent = message;
    error.dataset.kind = "notice";
  }

  // A parse error is shown (with its line and column) while typing, not only on Save; the
  // code editor calls showCheck itself (its linter marks the place too).
  function checkSoon() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => showCheck(text.value), CHECK_DELAY_MS);
  }

  function showCheck(source) {
    const parsed = parseJSON(source);
    if (!parsed.ok) {
      error.textContent = parsed.error;
      error.dataset.kind = "syntax";
    } else if (error.dataset.kind === "syntax") {
      error.textContent = "";
      delete error.dataset.kind;
    }
    return parsed;
  }

  function fillNodes(nodes) {
    const top = (nodes ?? []).filter((n) => !n.includes(":"));
    replaceChildren(asNode, h("option", { value: "", text: "(default)" }), top.map((n) => h("option", { value: n, text: n })));
  }

  function load(next) {
    view = next;
    const shown = pretty(next.values ?? (model.get("state_kind") === "value" ? null : {}));
    if (code) code.value = shown;
    else if (shown.length > CODE_EDITOR_CHARS) waitForCodeEditor(shown);
    else fillTextBox(shown);
    clearTimeout(checkTimer);
    error.textContent = "";
    delete error.dataset.kind;
    const where = next.id ? `checkpoint …${shortId(next.id)}` : "no checkpoint yet";
    title.textContent = next.is_head ? `${where} (latest)` : `${where} (past: saving creates a fork)`;
    save.textContent = next.is_head ? "Save" : "Fork with these values";
  }

  let busy = false;
  let confirmFor = null;

  async function submit() {
    if (busy) return; // one save at a time: a second click never sends a second fork
    const parsed = parseJSON(currentText());
    if (!parsed.ok) return (error.textContent = parsed.error);
    const values = parsed.value;
    if (model.get("state_kind") === "value") return submitWhole(values);
    if (!values || typeof values !== "object" || Array.isArray(values)) return (error.textContent = "State must be a JSON object.");
    const depth = nestingDepth(values);
    if (depth > MAX_DEPTH) return (error.textContent = `The state is nested ${depth} levels deep; at most ${MAX_DEPTH} can be sent to the kernel (its JSON decoder stops there).`);
    const keys = changedKeys(view.values, values);
    const removed = Object.keys(view.values ?? {}).filter((k) => !(k in values));
    if (removed.length) return (error.textContent = `Keys cannot be removed here: ${removed.join(", ")}.`);
    const changed = Object.fromEntries(keys.map((k) => [k, values[k]]));
    const as_node = asNode.value || null;
    if (view.is_head && keys.length === 0 && !as_node) return (error.textContent = "Nothing changed.");
    error.textContent = "";
    await send(changed, keys.length ? changed : null, as_node);
  }

  // The state is one value (an entrypoint's return value): an edit replaces it whole.
  async function submitWhole(value) {
    const same = JSON.stringify(view.values) === JSON.stringify(value);
    const as_node = asNode.value || null;
    if (view.is_head && same && !as_node) return (error.textContent = "Nothing changed.");
    error.textContent = "";
    await send(value, same ? null : value, as_node);
  }

  // One save or fork in flight at a time, shown busy; `headValues` go to the head,
  // `forkValues` onto a past checkpoint (null: fork it unchanged).
  async function send(headValues, forkValues, as_node) {
    delete error.dataset.kind;
    busy = true;
    const label = view.is_head ? "Save" : "Fork with these values";
    save.disabled = true;
    save.textContent = view.is_head ? "Saving…" : "Forking…";
    spinner.hidden = false;
    el.setAttribute("aria-busy", "true");
    try {
      const forking = !view.is_head;
      // Values the schema does not allow come back as warnings; the same values sent
      // again (the "Save anyway" click) are saved.
      const text_ = JSON.stringify({ headValues, as_node, id: view.id });
      const confirm = confirmFor === text_;
      const reply = forking
        ? await channel.action(ACTION.FORK, { checkpoint_id: view.id, values: forkValues, as_node, confirm })
        : await channel.action(ACTION.UPDATE_STATE, { values: headValues, as_node, confirm });
      confirmFor = null;
      if (!reply.ok && reply.kind === "confirm") {
        confirmFor = text_;
        error.textContent = `${reply.error}\nSave again to store them anyway.`;
        error.dataset.kind = "warning";
      } else if (!reply.ok) {
        error.textContent = reply.error;
        onError(reply.error);
      } else if (forking) {
        // The fork is the thread's latest checkpoint now: show it, not the past one.
        load({ ...view, id: reply.result?.head?.id ?? view.id, is_head: true });
        await onForked(reply.result?.head ?? {});
      }
    } finally {
      busy = false;
      save.disabled = false;
      if (save.textContent.endsWith("…")) save.textContent = confirmFor ? "Save anyway" : label;
      spinner.hidden = true;
      el.removeAttribute("aria-busy");
    }
  }

  fillNodes(model.get("nodes"));
  model.on("change:nodes", () => fillNodes(model.get("nodes")));
  return { el, load, submit, useCodeEditor, current: () => view, text: currentText };
}
