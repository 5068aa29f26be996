// Deterministic bundles: js/src -> hitl_notebook/static/{widget.js,widget.css,editor.js}
// (CI rebuilds and diffs). The code editor is its own bundle, sent by the kernel on
// demand, so the widget bundle (saved in every notebook with each widget) stays small;
// its hash goes into the widget bundle to key the page-wide cache of the loaded module.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFile, readFile } from "node:fs/promises";

const common = { bundle: true, format: "esm", target: "es2022", minify: true, legalComments: "eof" };
await build({ ...common, entryPoints: ["src/editor/index.js"], outfile: "../hitl_notebook/static/editor.js" });
const editorHash = createHash("sha256").update(await readFile("../hitl_notebook/static/editor.js")).digest("hex").slice(0, 16);
await build({
  ...common,
  entryPoints: ["src/index.js"],
  define: { __EDITOR_HASH__: JSON.stringify(editorHash) },
  outfile: "../hitl_notebook/static/widget.js",
});
await copyFile("src/widget.css", "../hitl_notebook/static/widget.css");
