import { describe, expect, it } from "vitest";
import { createDiagram, vizLayout } from "../src/diagram.js";

// DOT as hitl_notebook.render.to_dot writes it (a subgraph cluster and a dashed edge).
const DOT = `digraph {
  node [class="hn-node" shape=box]
  __start__ [label=start class="hn-node hn-terminal" shape=oval]
  agent [label=agent]
  subgraph "cluster_sub" { label=sub; "sub:inner" [label=inner] }
  __start__ -> agent
  agent -> "sub:inner" [class="hn-edge hn-conditional" style=dashed]
}`;

describe("bundled WASM Graphviz", () => {
  it("lays out our DOT offline and keeps node ids and classes for restyling", async () => {
    const d = createDiagram({ layout: vizLayout });
    await d.render(DOT);
    expect(d.el.querySelector("svg")).not.toBeNull();
    expect(d.nodeElement("agent").classList.contains("hn-node")).toBe(true);
    expect(d.nodeElement("sub:inner")).toBeDefined();
    d.setStatus({ "sub:inner": "running" });
    expect(d.nodeElement("sub:inner").classList.contains("hn-status-running")).toBe(true);
    expect(d.el.querySelector("g.cluster")).not.toBeNull();
    expect(d.el.querySelector("g.edge.hn-conditional path").getAttribute("stroke-dasharray")).toBeTruthy();
  });
});
