// Tool-call card: the calls a thread is paused before (at a ToolNode), one row each with
// the tool's name, its arguments as editable JSON, and approve / edit / reject. Answers
// {decisions: [{type: "approve"} | {type: "edit", args} | {type: "reject", message}]}.
// Everything shown comes from the graph, so it is set as text, never as HTML.

import { h, parseJSON, pretty, replaceChildren } from "./dom.js";

const LABELS = { approve: "Approve", edit: "Edit", reject: "Reject" };

export function toolCallCard(spec, index, body) {
  const rows = spec.actions.map((action, a) => toolCallRow(action, `${index}-${a}`));
  body.append(h("div", { class: "hn-muted", text: `Paused before "${spec.node}": review each call before it runs.` }), ...rows.map((r) => r.el));
  return () => {
    const decisions = [];
    for (const row of rows) {
      const result = row.decision();
      if (!result.ok) return result;
      decisions.push(result.value);
    }
    return { ok: true, value: { decisions } };
  };
}

function toolCallRow(action, key) {
  let choice = "approve";
  const original = pretty(action.args);
  const args = h("textarea", { rows: "4", class: "hn-code", testid: `tool-call-args-${key}`, "aria-label": `Arguments of ${action.name} (JSON)` });
  args.value = original;
  const reason = h("input", { type: "text", testid: `tool-call-reason-${key}`, "aria-label": `Why ${action.name} is rejected`, placeholder: "Reason (optional)" });
  const detail = h("div", { class: "hn-decision-detail" });

  const buttons = Object.entries(LABELS).map(([type, label]) =>
    h("button", { class: "hn-option", testid: `tool-call-${type}-${key}`, "aria-pressed": String(type === choice), text: label, on: { click: () => choose(type) } }),
  );

  function choose(type) {
    choice = type;
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.testid === `tool-call-${type}-${key}`)));
    args.readOnly = type === "reject";
    replaceChildren(detail, type === "reject" ? reason : null);
  }
  // Typing new arguments is an edit; restoring the proposed ones is an approval again.
  args.addEventListener("input", () => choose(args.value.trim() === original.trim() ? "approve" : "edit"));
  choose(choice);

  const el = h(
    "div",
    { class: "hn-action hn-tool-call", testid: `tool-call-${key}`, "data-call-id": action.call_id ?? "" },
    h("div", {}, h("strong", { testid: `tool-call-name-${key}`, text: action.name }), action.call_id ? h("span", { class: "hn-muted", text: ` · call ${action.call_id}` }) : null),
    args,
    h("div", { class: "hn-row", role: "group", "aria-label": `Decision for ${action.name}` }, buttons),
    detail,
  );

  function decision() {
    if (choice === "reject") return { ok: true, value: reason.value.trim() ? { type: "reject", message: reason.value } : { type: "reject" } };
    if (choice === "approve") return { ok: true, value: { type: "approve" } };
    const parsed = parseJSON(args.value);
    if (!parsed.ok) return { ok: false, error: `${action.name}: ${parsed.error}` };
    if (!parsed.value || typeof parsed.value !== "object" || Array.isArray(parsed.value)) return { ok: false, error: `${action.name}: the arguments must be a JSON object.` };
    return { ok: true, value: { type: "edit", args: parsed.value } };
  }
  return { el, decision };
}
