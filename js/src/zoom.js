// @ts-check
// Zoom and pan for the diagram: a large graph is shown at a readable scale (never shrunk
// so far that labels become specks) and can be zoomed (buttons, ctrl+wheel), fitted,
// panned (drag or scroll) and centred on the node the run is at.

import { h } from "./dom.js";

/** Below this scale labels get too small to read (the kernel draws them at 12 px). */
export const MIN_READABLE_SCALE = 0.7;
const MIN_SCALE = 0.1;
const MAX_SCALE = 4;
const STEP = 1.25;

/**
 * @param {{viewport: HTMLElement, focusTarget?: () => Element | null}} options
 */
export function createZoom({ viewport, focusTarget = () => null }) {
  /** @type {SVGSVGElement | null} */
  let svg = null;
  let natural = { width: 0, height: 0 };
  let scale = 1;

  const label = h("span", { class: "hn-muted hn-zoom-level", testid: "zoom-level" });
  const button = (text, title, testid, fn) => h("button", { title, "aria-label": title, testid, on: { click: fn } }, text);
  const controls = h(
    "div",
    { class: "hn-row hn-zoom", role: "toolbar", "aria-label": "Diagram zoom" },
    button("−", "Zoom out", "zoom-out", () => zoomBy(1 / STEP)),
    button("+", "Zoom in", "zoom-in", () => zoomBy(STEP)),
    button("Fit", "Fit the whole graph", "zoom-fit", () => fit()),
    button("1:1", "Actual size", "zoom-reset", () => setScale(1)),
    button("Focus", "Centre on the current node", "zoom-focus", () => focus()),
    label,
  );

  /** The room the viewport gives: its width, and its height limit (its CSS max-height,
   * which a large diagram fills, else its height now). Reading it lays the page out if
   * anything changed. */
  function measure() {
    const limit = parseFloat(getComputedStyle(viewport).maxHeight);
    return { width: viewport.clientWidth, height: limit > 0 ? limit : viewport.clientHeight };
  }

  /** @param {{width: number, height: number}} [view] */
  function fitScale(view = measure()) {
    if (!natural.width) return 1;
    const width = view.width || natural.width;
    const height = view.height || natural.height;
    return Math.min(width / natural.width, height / natural.height, 1);
  }

  /**
   * @param {number} next
   * @param {{x: number, y: number} | null} [anchor]
   */
  function setScale(next, anchor = null) {
    if (!svg) return;
    const before = scale;
    scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, next));
    svg.setAttribute("width", String(natural.width * scale));
    svg.setAttribute("height", String(natural.height * scale));
    label.textContent = `${Math.round(scale * 100)}%`;
    viewport.dataset.scale = scale.toFixed(3);
    if (anchor) {
      // Keep the point under the pointer where it was.
      const ratio = scale / before;
      viewport.scrollLeft = (viewport.scrollLeft + anchor.x) * ratio - anchor.x;
      viewport.scrollTop = (viewport.scrollTop + anchor.y) * ratio - anchor.y;
    }
  }

  function zoomBy(factor, anchor) {
    setScale(scale * factor, anchor);
  }

  function fit() {
    setScale(fitScale());
  }

  function focus() {
    const g = focusTarget();
    if (!g || !svg) return false;
    const box = g.getBoundingClientRect();
    const view = viewport.getBoundingClientRect();
    viewport.scrollLeft += box.left + box.width / 2 - (view.left + view.width / 2);
    viewport.scrollTop += box.top + box.height / 2 - (view.top + view.height / 2);
    /** @type {HTMLElement} */ (g).focus?.({ preventScroll: true });
    return true;
  }

  /**
   * A new SVG: fit it when that keeps labels readable, else show it at a readable scale.
   * `view`: the viewport's size measured before the SVG went in; reading it afterwards
   * would lay out the whole new diagram synchronously (most of a first render's time).
   * @param {SVGSVGElement} nextSvg
   * @param {{width: number, height: number}} [view]
   */
  function attach(nextSvg, view) {
    svg = nextSvg;
    const box = nextSvg.viewBox?.baseVal;
    natural = box && box.width ? { width: box.width, height: box.height } : { width: parseFloat(nextSvg.getAttribute("width") ?? "") || 0, height: parseFloat(nextSvg.getAttribute("height") ?? "") || 0 };
    nextSvg.style.maxWidth = "none";
    const fitted = fitScale(view);
    setScale(fitted >= MIN_READABLE_SCALE ? fitted : MIN_READABLE_SCALE);
  }

  viewport.addEventListener(
    "wheel",
    (ev) => {
      if (!ev.ctrlKey && !ev.metaKey) return; // plain wheel scrolls the page / viewport
      ev.preventDefault();
      const view = viewport.getBoundingClientRect();
      zoomBy(ev.deltaY < 0 ? STEP : 1 / STEP, { x: ev.clientX - view.left, y: ev.clientY - view.top });
    },
    { passive: false },
  );

  let drag = null;
  viewport.addEventListener("pointerdown", (ev) => {
    const target = /** @type {Element | null} */ (ev.target);
    if (ev.button !== 0 || target?.closest?.("g.node")) return;
    drag = { x: ev.clientX, y: ev.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
    viewport.classList.add("hn-panning");
  });
  viewport.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    viewport.scrollLeft = drag.left - (ev.clientX - drag.x);
    viewport.scrollTop = drag.top - (ev.clientY - drag.y);
  });
  const endDrag = () => {
    drag = null;
    viewport.classList.remove("hn-panning");
  };
  viewport.addEventListener("pointerup", endDrag);
  viewport.addEventListener("pointerleave", endDrag);

  return { controls, attach, measure, fit, focus, setScale, scale: () => scale };
}
