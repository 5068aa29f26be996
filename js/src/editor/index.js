// @ts-check
// The state editor's code editor (CodeMirror 6: JSON highlighting, parse-error markers).
// Built as its own bundle (hitl_notebook/static/editor.js) and fetched from the kernel
// only when a widget needs it, so the widget bundle saved in every notebook stays small.

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { bracketMatching, defaultHighlightStyle, foldGutter, syntaxHighlighting } from "@codemirror/language";
import { forEachDiagnostic, lintGutter, linter } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

/** Same contract as the plain textarea the state editor falls back to. */
export const API_VERSION = 1;

/**
 * A JSON editor in `parent`. `check(text)` is the state editor's parser (it also shows the
 * message); its `offset` is where the error is marked.
 * @param {{parent: HTMLElement, text: string, label: string, testid: string,
 *   check: (text: string) => {ok: boolean, error?: string, offset?: number}}} options
 */
export function createJsonEditor({ parent, text, label, testid, check }) {
  const view = new EditorView({
    parent,
    state: makeState(text),
  });
  view.contentDOM.dataset.testid = testid;
  view.contentDOM.setAttribute("aria-label", label);
  view.dom.classList.add("hn-code-editor");

  function makeState(doc) {
    return EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        foldGutter(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        json(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        linter(
          (view) => {
            const parsed = check(view.state.doc.toString());
            if (parsed.ok) return [];
            const at = Math.min(parsed.offset ?? 0, view.state.doc.length);
            return [{ from: at, to: Math.min(at + 1, view.state.doc.length), severity: "error", message: parsed.error ?? "Invalid JSON" }];
          },
          { delay: 300 },
        ),
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      ],
    });
  }

  return {
    dom: view.dom,
    get value() {
      return view.state.doc.toString();
    },
    set value(next) {
      // A new checkpoint shown: a fresh state (no undo back into another checkpoint).
      view.setState(makeState(next));
    },
    focus() {
      view.focus();
    },
    /** The parse errors the linter marked: [{line, column, message}] (1-based). */
    markers() {
      /** @type {{line: number, column: number, message: string}[]} */
      const out = [];
      forEachDiagnostic(view.state, (d, from) => {
        const line = view.state.doc.lineAt(from);
        out.push({ line: line.number, column: from - line.from + 1, message: d.message });
      });
      return out;
    },
    destroy() {
      view.destroy();
    },
  };
}
