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
    expect(rows).toEqual([".notes.lastset12", ".messages+1+1{\"content\":\"<b>hi</b>\"}", ".draftdelete\"x\""]);
    expect(el.querySelector("b")).toBeNull(); // payloads are text, never HTML
  });

  it("caps the operations drawn and counts the rest", () => {
    const ops = Array.from({ length: MAX_DIFF_OPS + 5 }, (_, i) => ({ op: "set", path: [i], old: i, value: -i }));
    const el = diffSection("State", ops, "diff-state");
    expect(el.querySelectorAll('[data-testid="diff-op"]').length).toBe(MAX_DIFF_OPS);
    expect(el.textContent).toContain("… and 5 more");
  });

  it("counts the operations the kernel left out of its page", () => {
    const ops = [{ op: "set", path: ["a"], old: 1, value: 2 }];
    const el = diffSection("State", ops, "diff-state", { total: 450 });
    expect(el.querySelectorAll('[data-testid="diff-op"]').length).toBe(1);
    expect(el.textContent).toContain("… and 449 more");
  });

  it("lists a long append's first items and fetches the next ones on Show more", async () => {
    const all = Array.from({ length: 45 }, (_, i) => ({ content: `m${i}` }));
    const asked = [];
    const loadMore = async (op, offset) => {
      asked.push([op.path, offset]);
      return all.slice(offset, offset + 20);
    };
    const op = { op: "append", path: ["messages"], items: all.slice(0, 20), count: 45 };
    const el = diffSection("State", [op], "diff-state", { loadMore });
    const items = () => [...el.querySelectorAll(".hn-diff-item code")].map((c) => c.textContent);
    const more = /** @type {HTMLButtonElement} */ (el.querySelector('[data-testid="diff-more"]'));
    expect(el.querySelector(".hn-diff-kind").textContent).toBe("+45");
    expect(items()).toEqual(all.slice(0, 20).map((m) => JSON.stringify(m)));
    expect(more.textContent).toBe("Show more (25 left)");
    more.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    more.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(asked).toEqual([[["messages"], 20], [["messages"], 40]]);
    expect(items()).toEqual(all.map((m) => JSON.stringify(m)));
    expect(el.querySelector('[data-testid="diff-more"]')).toBeNull();
  });

  it("offers no Show more when every item came with the diff", () => {
    const op = { op: "append", path: ["log"], items: ["a", "b"] };
    const el = diffSection("State", [op], "diff-state", { loadMore: async () => [] });
    expect(el.querySelector('[data-testid="diff-more"]')).toBeNull();
    expect(el.querySelector(".hn-diff-kind").textContent).toBe("+2");
  });
});
