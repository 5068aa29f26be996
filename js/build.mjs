// Deterministic bundle: js/src -> hitl_notebook/static/widget.{js,css} (CI rebuilds and diffs).
import { build } from "esbuild";
import { copyFile } from "node:fs/promises";

await build({
  entryPoints: ["src/index.js"],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  outfile: "../hitl_notebook/static/widget.js",
});
await copyFile("src/widget.css", "../hitl_notebook/static/widget.css");
