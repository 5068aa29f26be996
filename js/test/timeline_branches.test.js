import { describe, expect, it } from "vitest";
import { diffSection, laneGutter, MAX_DIFF_OPS, MAX_LANES } from "../src/timeline.js";

// Ids sort by creation time, as checkpoint ids do.
const lanes = [
  { lane: 0, from: "c01", to: "c09" },
  { lane: 1, from: "c03", to: "c07" }, // a fork of c03, newest c07
];

describe("timeline branches", () => {
  it("draws the main line, a fork's start and the lines passing each row", () => {
    expect(laneGutter({ id: "c09", lane: 0, fork: false }, lanes)).toBe("● ");
    expect(laneGutter({ id: "c05", lane: 0, fork: false }, lanes)).toBe("●│");
    expect(laneGutter({ id: "c04", lane: 1, fork: true }, lanes)).toBe("│◆");
    expect(laneGutter({ id: "c03", lane: 0, fork: false }, lanes)).toBe("●╯");
    expect(laneGutter({ id: "c02", lane: 0, fork: false }, lanes)).toBe("● ");
  });

  it("keeps the gutter narrow when a thread has many forks", () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ lane: i, from: "c00", to: "c99" }));
    const gutter = laneGutter({ id: "c50", lane: 29, fork: true }, many);
    expect(gutter.length).toBe(MAX_LANES);
    expect(gutter.at(-1)).toBe("◆");
  });
});

describe("structural diff", () => {
  it("shows each change with its path, old and new values as text", () => {
    const el = diffSection("State", [
      { op: "set", path: ["notes", "last"], old: 1, value: 2 },
      { op: "append", path: ["messages"], items: [{ content: "<b>hi</b>" }] },
      { op: "delete", path: ["draft"], old: "x" },
    ], "diff-state");
    const rows = [...el.querySelectorAll('[data-testid="diff-op"]')].map((r) => r.textContent);
    expect(rows).toEqual([".notes.lastset12", ".messages+1[{\"content\":\"<b>hi</b>\"}]", ".draftdelete\"x\""]);
    expect(el.querySelector("b")).toBeNull(); // payloads are text, never HTML
  });

  it("caps the operations drawn and counts the rest", () => {
    const ops = Array.from({ length: MAX_DIFF_OPS + 5 }, (_, i) => ({ op: "set", path: [i], old: i, value: -i }));
    const el = diffSection("State", ops, "diff-state");
    expect(el.querySelectorAll('[data-testid="diff-op"]').length).toBe(MAX_DIFF_OPS);
    expect(el.textContent).toContain("… and 5 more");
  });
});
