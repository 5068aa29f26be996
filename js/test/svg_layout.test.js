import { describe, expect, it } from "vitest";
import { createDiagram, svgLayout } from "../src/diagram.js";

// SVG as hitl_notebook.render.svg writes it: a subgraph frame, a dashed conditional edge,
// nodes as <g class="node hn-node"> with the id in <title>.
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" class="hn-svg" width="200" height="160" viewBox="0 0 200 160">
<g class="cluster" data-cluster="sub"><title>sub</title><rect x="10" y="80" width="120" height="60"/><text>sub</text></g>
<g class="edge hn-edge hn-conditional"><title>agent-&gt;sub:inner</title><path d="M60,50 C60,70 60,70 60,100" stroke-dasharray="5,4"/></g>
<g class="node hn-node hn-terminal" data-node="__start__"><title>__start__</title><rect x="30" y="0" width="60" height="30"/><text>start</text></g>
<g class="node hn-node" data-node="agent"><title>agent</title><rect x="30" y="40" width="60" height="30"/><text>agent</text></g>
<g class="node hn-node" data-node="sub:inner"><title>sub:inner</title><rect x="30" y="100" width="60" height="30"/><text>&lt;b&gt;inner&lt;/b&gt;</text></g>
</svg>`;

describe("the kernel's SVG", () => {
  it("is shown with node ids and classes kept for restyling", async () => {
    const d = createDiagram({ layout: svgLayout });
    await d.render(SVG);
    expect(d.el.querySelector("svg")).not.toBeNull();
    expect(d.nodeElement("agent").classList.contains("hn-node")).toBe(true);
    expect(d.nodeElement("__start__")).toBeUndefined();
    d.setStatus({ "sub:inner": "running" });
    expect(d.nodeElement("sub:inner").classList.contains("hn-status-running")).toBe(true);
    expect(d.el.querySelector("g.cluster")).not.toBeNull();
    expect(d.el.querySelector("g.edge.hn-conditional path").getAttribute("stroke-dasharray")).toBeTruthy();
  });

  it("keeps escaped labels as text, never as markup", async () => {
    const d = createDiagram({ layout: svgLayout });
    await d.render(SVG);
    const label = d.nodeElement("sub:inner").querySelector("text");
    expect(label.textContent).toBe("<b>inner</b>");
    expect(d.el.querySelector("b")).toBeNull();
  });

  it("shows text that is not SVG as a diagram error", async () => {
    const d = createDiagram({ layout: svgLayout });
    await d.render("digraph { a -> b }");
    expect(d.el.querySelector('[data-testid="diagram-error"]')).not.toBeNull();
  });
});
