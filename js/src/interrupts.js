// @ts-check
// Interrupt panel: every pending interrupt with its payload and a response form chosen
// by the kernel (`kind`): options, hitl / tool_approval (tool-call review), tool_calls
// (the calls a thread is paused before, see tool_call_card.js), text, json.
// All answers go back together as one resume map {interrupt_id: value}.

import { h, parseJSON, pretty, replaceChildren } from "./dom.js";
import { jsonView } from "./json_view.js";
import { ACTION } from "./protocol.js";
import { toolCallCard } from "./tool_call_card.js";

/** After an answer is sent from here, the next question must be on screen this long
 * before a click can answer it: clicks meant for the previous question (a double click,
 * an impatient triple click) never answer one the user has not seen. */
export const ARM_DELAY_MS = 500;
const RECENT_SUBMIT_MS = 10_000;

export function createInterruptPanel({ channel, onError = (/** @type {string} */ _message) => {}, now = () => performance.now() }) {
  const el = h("section", { class: "hn-panel hn-interrupts", testid: "interrupt-panel", "aria-label": "Pending interrupts" });
  let forms = [];
  // From a submit until the kernel shows the next interrupts (or refuses), nothing is sent.
  let busy = false;
  let armedAt = 0;
  let lastSubmitAt = -Infinity;

  /** Send the answers of `chosen` forms (all of them by default: one resume map). */
  async function submit(chosen = forms) {
    if (busy || now() < armedAt) return;
    const answers = {};
    let valid = true;
    for (const form of chosen) {
      const result = form.answer();
      form.setError(result.ok ? "" : result.error);
      if (result.ok) answers[form.id] = result.value;
      else valid = false;
    }
    if (!valid) return;
    busy = true;
    lastSubmitAt = now();
    el.dataset.busy = "true";
    const reply = await channel.action(ACTION.RESUME, { answers });
    if (!reply.ok) {
      onError(reply.error);
      busy = false;
      delete el.dataset.busy;
    }
  }

  function render(interrupts) {
    release();
    const drafts = new Map(forms.map((form) => [form.id, typedValues(form.el)]));
    const seenBefore = (interrupts ?? []).length > 0 && (interrupts ?? []).every((spec) => drafts.has(spec.id));
    // A refresh of questions already on screen neither re-arms the click guard nor loses
    // what the user has typed into them.
    if (!seenBefore) armedAt = now() - lastSubmitAt < RECENT_SUBMIT_MS ? now() + ARM_DELAY_MS : 0;
    const armed = () => now() >= armedAt && !busy;
    forms = (interrupts ?? []).map((spec, index) => buildForm(spec, index, interrupts.length === 1 ? () => submit() : null, armed));
    for (const form of forms) restoreTyped(form.el, drafts.get(form.id));
    if (forms.length > 1) {
      // Parallel questions can be answered one at a time (the others stay pending).
      forms.forEach((form, index) =>
        form.el.append(h("button", { testid: `interrupt-submit-${index}`, on: { click: () => submit([form]) } }, "Send this answer")),
      );
    }
    if (forms.length === 0) {
      replaceChildren(el);
      el.hidden = true;
      return;
    }
    el.hidden = false;
    const label = forms.length === 1 ? "Send answer" : `Send ${forms.length} answers`;
    replaceChildren(
      el,
      h("h3", { text: forms.length === 1 ? "Interrupt" : `${forms.length} pending interrupts` }),
      forms.map((f) => f.el),
      h("button", { class: "hn-primary", testid: "interrupt-submit", on: { click: () => submit() } }, label),
    );
  }

  /** The run that an answer started has ended: forms may be sent again. */
  function release() {
    busy = false;
    delete el.dataset.busy;
  }

  return { el, render, submit, release };
}

/** What the user has typed into a form's text fields, in document order. */
function typedValues(el) {
  return [...el.querySelectorAll("textarea, input[type=text]")].map((field) => field.value);
}

function restoreTyped(el, values) {
  if (!values) return;
  const fields = [...el.querySelectorAll("textarea, input[type=text]")];
  if (fields.length !== values.length) return;
  fields.forEach((field, i) => {
    if (values[i] === "" || field.value === values[i]) return;
    field.value = values[i];
    field.dispatchEvent(new Event("input"));
  });
}

function buildForm(spec, index, submitNow, armed) {
  const error = h("div", { class: "hn-error", testid: `interrupt-error-${index}`, role: "alert" });
  const body = h("div", { class: "hn-form" });
  const el = h(
    "div",
    { class: "hn-interrupt", testid: `interrupt-${index}`, "data-interrupt-id": spec.id, "data-kind": spec.kind },
    h("div", { class: "hn-muted", text: `${spec.node || "graph"} · ${spec.kind} · id …${spec.id.slice(-8)}` }),
    spec.carried
      ? h("div", {
          class: "hn-note",
          testid: `interrupt-carried-${index}`,
          text: `Asked before your edit: answering re-runs ${spec.node || "the node"} on the edited state with this answer; Continue asks the question again from the edited state.`,
        })
      : null,
    jsonView(spec.value, { testid: `interrupt-payload-${index}` }),
    body,
    error,
  );
  const builders = { options: optionsForm, hitl: reviewForm, tool_approval: reviewForm, tool_calls: toolCallCard, text: textForm, json: jsonForm };
  const answer = (builders[spec.kind] ?? jsonForm)(spec, index, body, submitNow, armed);
  return { id: spec.id, el, answer, setError: (msg) => (error.textContent = msg) };
}

function optionLabel(option) {
  if (typeof option === "string") return option;
  if (option && typeof option === "object" && "label" in option) return String(option.label);
  return JSON.stringify(option);
}

function optionsForm(spec, index, body, submitNow, armed) {
  let chosen = null;
  const buttons = spec.options.map((option, j) =>
    h("button", {
      class: "hn-option",
      testid: `interrupt-option-${index}-${j}`,
      "aria-pressed": "false",
      text: optionLabel(option),
      on: {
        click: () => {
          if (!armed()) return;
          chosen = { value: option };
          buttons.forEach((b, k) => b.setAttribute("aria-pressed", String(k === j)));
          if (submitNow) submitNow();
        },
      },
    }),
  );
  body.append(h("div", { class: "hn-row" }, buttons));
  return () => (chosen ? { ok: true, value: chosen.value } : { ok: false, error: "Choose one of the options." });
}

function textForm(spec, index, body) {
  const input = h("textarea", { rows: "2", testid: `interrupt-text-${index}`, "aria-label": "Answer" });
  body.append(input);
  return () => ({ ok: true, value: input.value });
}

function jsonForm(spec, index, body) {
  const input = h("textarea", { rows: "4", class: "hn-code", testid: `interrupt-json-${index}`, "aria-label": "Answer as JSON" });
  input.value = "null";
  body.append(h("div", { class: "hn-muted", text: "Answer (JSON):" }), input);
  return () => parseJSON(input.value);
}

let radioGroups = 0;
const DECISION_LABELS = { approve: "Approve", edit: "Edit", reject: "Reject", respond: "Respond" };

function reviewForm(spec, index, body) {
  const rows = spec.actions.map((action, a) => reviewAction(action, index, a));
  body.append(...rows.map((r) => r.el));
  return () => {
    const decisions = [];
    for (const row of rows) {
      const result = row.decision();
      if (!result.ok) return result;
      decisions.push(result.value);
    }
    return { ok: true, value: spec.kind === "hitl" ? { decisions } : decisions[0] };
  };
}

function reviewAction(action, index, a) {
  const group = `hn-decision-${++radioGroups}-${index}-${a}`;
  let choice = action.allowed[0];
  const detail = h("div", { class: "hn-decision-detail" });
  const args = h("textarea", { rows: "4", class: "hn-code", testid: `edit-args-${index}-${a}`, "aria-label": "Edited arguments (JSON)" });
  args.value = pretty(action.args);
  const message = h("textarea", { rows: "2", testid: `decision-message-${index}-${a}`, "aria-label": "Message" });

  function showDetail() {
    if (choice === "edit") replaceChildren(detail, h("div", { class: "hn-muted", text: `Arguments for ${action.name} (JSON):` }), args);
    else if (choice === "reject") replaceChildren(detail, h("div", { class: "hn-muted", text: "Reason (optional):" }), message);
    else if (choice === "respond") replaceChildren(detail, h("div", { class: "hn-muted", text: "Response sent back instead of running the tool:" }), message);
    else replaceChildren(detail);
  }

  const radios = action.allowed.map((type) => {
    const input = h("input", { type: "radio", name: group, value: type, testid: `decision-${index}-${a}-${type}` });
    input.checked = type === choice;
    input.addEventListener("change", () => {
      choice = type;
      showDetail();
    });
    return h("label", { class: "hn-inline" }, input, ` ${DECISION_LABELS[type] ?? type}`);
  });
  showDetail();

  const el = h(
    "div",
    { class: "hn-action", testid: `action-${index}-${a}` },
    h("div", {}, h("strong", { text: action.name }), action.description ? h("span", { class: "hn-muted", text: ` — ${action.description}` }) : null),
    jsonView(action.args, { testid: `action-args-${index}-${a}` }),
    h("div", { class: "hn-row", role: "radiogroup", "aria-label": `Decision for ${action.name}` }, radios),
    detail,
  );

  function decision() {
    if (choice === "approve") return { ok: true, value: { type: "approve" } };
    if (choice === "edit") {
      const parsed = parseJSON(args.value);
      if (!parsed.ok) return parsed;
      if (!parsed.value || typeof parsed.value !== "object" || Array.isArray(parsed.value)) return { ok: false, error: "Edited arguments must be a JSON object." };
      return { ok: true, value: { type: "edit", edited_action: { name: action.name, args: parsed.value } } };
    }
    if (choice === "respond") {
      if (!message.value.trim()) return { ok: false, error: "Write the response to send back." };
      return { ok: true, value: { type: "respond", message: message.value } };
    }
    return { ok: true, value: message.value.trim() ? { type: "reject", message: message.value } : { type: "reject" } };
  }
  return { el, decision };
}
