import { describe, expect, it } from "vitest";
import { createZoom, MIN_READABLE_SCALE } from "../src/zoom.js";

function svgOf(width, height) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  return svg;
}

describe("diagram zoom", () => {
  it("never shrinks a large graph below a readable scale, and zooms by buttons", () => {
    const viewport = document.createElement("div");
    Object.defineProperty(viewport, "clientWidth", { value: 400 });
    Object.defineProperty(viewport, "clientHeight", { value: 400 });
    const zoom = createZoom({ viewport });
    const svg = svgOf(4000, 3000);
    viewport.append(svg);
    zoom.attach(svg);
    expect(zoom.scale()).toBe(MIN_READABLE_SCALE);
    expect(Number(svg.getAttribute("width"))).toBeCloseTo(4000 * MIN_READABLE_SCALE);
    zoom.controls.querySelector("[data-testid='zoom-fit']").click();
    expect(zoom.scale()).toBeCloseTo(0.1);
    zoom.controls.querySelector("[data-testid='zoom-in']").click();
    expect(zoom.scale()).toBeCloseTo(0.125);
    zoom.controls.querySelector("[data-testid='zoom-reset']").click();
    expect(zoom.scale()).toBe(1);
    expect(zoom.controls.querySelector("[data-testid='zoom-level']").textContent).toBe("100%");
  });

  it("fits a small graph without enlarging it", () => {
    const viewport = document.createElement("div");
    Object.defineProperty(viewport, "clientWidth", { value: 400 });
    Object.defineProperty(viewport, "clientHeight", { value: 400 });
    const zoom = createZoom({ viewport });
    const svg = svgOf(200, 300);
    zoom.attach(svg);
    expect(zoom.scale()).toBe(1);
  });
});

describe("diagram first render", () => {
  it("measures the viewport before the new SVG is in, so drawing forces no layout of it", async () => {
    const { createDiagram } = await import("../src/diagram.js");
    const svg = svgOf(4000, 3000);
    const diagram = createDiagram({ layout: async () => svg });
    const reads = [];
    for (const side of ["clientWidth", "clientHeight"]) {
      Object.defineProperty(diagram.el.querySelector("[data-testid='diagram-viewport']"), side, {
        get() {
          reads.push(this.contains(svg));
          return 400;
        },
      });
    }
    await diagram.render("<svg/>");
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((inside) => !inside)).toBe(true);
    expect(diagram.zoom.scale()).toBe(MIN_READABLE_SCALE);
  });
});
