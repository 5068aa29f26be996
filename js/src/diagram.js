// @ts-check
// Graph diagram: the kernel lays the graph out and sends SVG (hitl_notebook/render); this
// shows it in a zoomable viewport (zoom.js) and restyles nodes by status through CSS
// classes — a status update never re-draws.

import { h, replaceChildren } from "./dom.js";
import { createZoom } from "./zoom.js";

const STATUSES = ["visited", "running", "next", "interrupted", "errored"];

/**
 * Default layout: parse the SVG text the kernel drew (as XML: nothing in it runs).
 * @param {string} svgText
 * @returns {Promise<SVGSVGElement>}
 */
export async function svgLayout(svgText) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg") throw new Error("the kernel's diagram is not SVG");
  return /** @type {SVGSVGElement} */ (/** @type {unknown} */ (document.adoptNode(svg)));
}

/**
 * createDiagram({ layout, onSelect }) -> { el, render(svgText), setStatus(map),
 * setBreakpoints({before, after}), nodeElement(id), zoom }
 * @param {{layout?: (svgText: string) => Promise<Element>, onSelect?: (id: string) => void}} [options]
 */
export function createDiagram({ layout = svgLayout, onSelect = () => {} } = {}) {
  const viewport = h("div", { class: "hn-diagram-viewport", testid: "diagram-viewport" });
  /** @type {Map<string, SVGElement>} */
  let nodes = new Map();
  const zoom = createZoom({ viewport, focusTarget: () => currentNode() });
  const el = h("div", { class: "hn-diagram", testid: "diagram" }, zoom.controls, viewport);
  /** @type {Record<string, string>} */
  let status = {};
  /** @type {{before: string[], after: string[]}} */
  let breakpoints = { before: [], after: [] };
  /** @type {string | null} */
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

  /** @param {string} id */
  function select(id) {
    selected = id;
    for (const [nid, g] of nodes) g.classList.toggle("hn-selected", nid === id);
    onSelect(id);
  }

  /** The node an event happened in (one listener for all nodes: none to add per node). */
  const nodeOf = (/** @type {Event} */ ev) => {
    const g = /** @type {Element | null} */ (ev.target)?.closest?.("g.node");
    const id = g instanceof SVGElement ? g.dataset.node : undefined;
    return id !== undefined && nodes.get(id) === g ? id : null;
  };
  viewport.addEventListener("click", (ev) => {
    const id = nodeOf(ev);
    if (id !== null) select(id);
  });
  viewport.addEventListener("keydown", (ev) => {
    const id = nodeOf(ev);
    if (id !== null && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      select(id);
    }
  });

  /** @param {string} svgText */
  async function render(svgText) {
    if (!svgText) return;
    let svg;
    try {
      svg = await layout(svgText);
    } catch (err) {
      replaceChildren(viewport, h("div", { class: "hn-error", testid: "diagram-error", text: `Diagram failed: ${err instanceof Error ? err.message : err}` }));
      return;
    }
    nodes = new Map();
    for (const g of /** @type {NodeListOf<SVGGElement>} */ (svg.querySelectorAll("g.node"))) {
      const id = g.querySelector("title")?.textContent ?? "";
      if ((id.split(":").pop() ?? "").startsWith("__")) continue;
      nodes.set(id, g);
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", `node ${id}`);
      g.dataset.testid = `node-${id}`;
      g.dataset.node = id;
    }
    const view = zoom.measure(); // before the new SVG is in: see zoom.attach
    replaceChildren(viewport, svg);
    zoom.attach(/** @type {SVGSVGElement} */ (svg), view);
    applyClasses();
    if (selected) nodes.get(selected)?.classList.add("hn-selected");
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
    /** @param {Record<string, string> | null | undefined} map */
    setStatus(map) {
      status = map ?? {};
      applyClasses();
    },
    /** @param {{before?: string[], after?: string[]} | null | undefined} bp */
    setBreakpoints(bp) {
      breakpoints = { before: bp?.before ?? [], after: bp?.after ?? [] };
      applyClasses();
    },
    /** @param {string} id */
    nodeElement: (id) => nodes.get(id),
    zoom,
  };
}
