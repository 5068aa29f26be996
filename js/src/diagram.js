// Graph diagram: lay DOT out once (WASM Graphviz), then restyle nodes by status through
// CSS classes — a status update never re-runs the layout.

import { h, replaceChildren } from "./dom.js";
import { createZoom } from "./zoom.js";

const STATUSES = ["visited", "running", "next", "interrupted", "errored"];

let vizPromise = null;
/** Default layout: @viz-js/viz (Graphviz compiled to WASM, bundled, no network). */
export async function vizLayout(dot) {
  vizPromise ??= import("@viz-js/viz").then((mod) => mod.instance());
  const viz = await vizPromise;
  return viz.renderSVGElement(dot);
}

/**
 * createDiagram({ layout, onSelect }) -> { el, render(dot), setStatus(map),
 * setBreakpoints({before, after}), nodeElement(id) }
 */
export function createDiagram({ layout = vizLayout, onSelect = () => {} } = {}) {
  const viewport = h("div", { class: "hn-diagram-viewport", testid: "diagram-viewport" });
  let nodes = new Map();
  const zoom = createZoom({ viewport, focusTarget: () => currentNode() });
  const el = h("div", { class: "hn-diagram", testid: "diagram" }, zoom.controls, viewport);
  let status = {};
  let breakpoints = { before: [], after: [] };
  let selected = null;

  /** The node the run is at: running, else interrupted, errored, next (among several next
   * nodes, the one whose breakpoint paused the run). */
  function currentNode() {
    for (const wanted of ["running", "interrupted", "errored"]) {
      for (const [id, g] of nodes) if (status[id] === wanted) return g;
    }
    for (const [id, g] of nodes) if (status[id] === "next" && breakpoints.before.includes(id)) return g;
    for (const [id, g] of nodes) if (status[id] === "next") return g;
    return null;
  }

  function select(id) {
    selected = id;
    for (const [nid, g] of nodes) g.classList.toggle("hn-selected", nid === id);
    onSelect(id);
  }

  async function render(dot) {
    if (!dot) return;
    let svg;
    try {
      svg = await layout(dot);
    } catch (err) {
      replaceChildren(viewport, h("div", { class: "hn-error", testid: "diagram-error", text: `Diagram failed: ${err.message ?? err}` }));
      return;
    }
    nodes = new Map();
    for (const g of svg.querySelectorAll("g.node")) {
      const id = g.querySelector("title")?.textContent ?? "";
      if (id.split(":").pop().startsWith("__")) continue;
      nodes.set(id, g);
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", `node ${id}`);
      g.dataset.testid = `node-${id}`;
      g.dataset.node = id;
      g.addEventListener("click", () => select(id));
      g.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          select(id);
        }
      });
    }
    replaceChildren(viewport, svg);
    zoom.attach(svg);
    applyClasses();
    if (selected && nodes.has(selected)) nodes.get(selected).classList.add("hn-selected");
  }

  function applyClasses() {
    for (const [id, g] of nodes) {
      for (const s of STATUSES) g.classList.toggle(`hn-status-${s}`, status[id] === s);
      g.classList.toggle("hn-bp-before", breakpoints.before.includes(id));
      g.classList.toggle("hn-bp-after", breakpoints.after.includes(id));
      g.setAttribute("aria-label", `node ${id}${status[id] ? ` (${status[id]})` : ""}`);
    }
  }

  return {
    el,
    render,
    setStatus(map) {
      status = map ?? {};
      applyClasses();
    },
    setBreakpoints(bp) {
      breakpoints = { before: bp?.before ?? [], after: bp?.after ?? [] };
      applyClasses();
    },
    nodeElement: (id) => nodes.get(id),
    zoom,
  };
}
