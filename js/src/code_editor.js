// @ts-check
// Loads the code editor bundle (CodeMirror, hitl_notebook/static/editor.js) from the
// kernel on first use. It is not part of the widget bundle, which every saved notebook
// stores once per widget; the kernel sends it over the widget's channel instead. One
// transfer per page: the module is cached on the page, keyed by the bundle's hash, so
// every widget (and every later view) shares it.

import { QUERY } from "./protocol.js";

/** The editor bundle this widget bundle was built with (set by build.mjs). */
// @ts-ignore -- replaced at build time; "dev" in unit tests
export const EDITOR_HASH = typeof __EDITOR_HASH__ === "string" ? __EDITOR_HASH__ : "dev";
const CACHE = Symbol.for("hitl-notebook.code-editor");

/**
 * The editor module ({createJsonEditor}); rejects when the kernel cannot send it or it
 * does not load (the plain text box stays).
 * @param {{query: (name: string, args?: object, options?: object) => Promise<any>}} channel
 * @returns {Promise<any>}
 */
export function loadCodeEditor(channel) {
  const page = /** @type {any} */ (globalThis);
  /** @type {Map<string, Promise<any>>} */
  const cache = (page[CACHE] ??= new Map());
  let loading = cache.get(EDITOR_HASH);
  if (!loading) {
    loading = fetchModule(channel);
    cache.set(EDITOR_HASH, loading);
    loading.catch(() => cache.delete(EDITOR_HASH)); // a failed load may be tried again
  }
  return loading;
}

async function fetchModule(channel) {
  const reply = await channel.query(QUERY.EDITOR_MODULE, {}, { timeoutMs: 60_000 });
  if (!reply.ok) throw new Error(reply.error);
  const url = URL.createObjectURL(new Blob([reply.result.source], { type: "text/javascript" }));
  try {
    const module = await import(/* @vite-ignore */ url);
    if (typeof module.createJsonEditor !== "function") throw new Error("the editor bundle has no createJsonEditor");
    return module;
  } finally {
    URL.revokeObjectURL(url);
  }
}
