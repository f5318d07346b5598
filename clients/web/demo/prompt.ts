/**
 * An automated message's prompt as a form: its buttons and inputs (`action_data`), answered with
 * `chat:action`. Buttons submit the form (with the inputs' values); without buttons, a submit
 * button sends the values.
 */
import type { ActionData, InputField } from "../../typescript/src/index.js";

/** What the form asks the page to send. */
export interface Answer {
  actionId?: string;
  values?: { [id: string]: string | number };
}

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}): HTMLElementTagNameMap[K] {
  return Object.assign(document.createElement(tag), props);
}

function control(field: InputField, formId: string): HTMLInputElement | HTMLSelectElement {
  const id = `${formId}-${field.id}`;
  if (field.type === "select") {
    const select = h("select", { id, name: field.id, required: field.required });
    select.append(h("option", { value: "", textContent: "Choose…" }));
    for (const option of field.options ?? []) select.append(h("option", { value: option.value, textContent: option.label }));
    return select;
  }
  const input = h("input", { id, name: field.id, type: field.type, required: field.required });
  // min/max bound the value of a number and the length of text.
  if (field.type === "number") {
    if (field.min !== undefined) input.min = String(field.min);
    if (field.max !== undefined) input.max = String(field.max);
  } else {
    if (field.min !== undefined) input.minLength = field.min;
    if (field.max !== undefined) input.maxLength = field.max;
  }
  if (field.pattern !== undefined) input.pattern = field.pattern;
  return input;
}

/** The prompt's form; `active` false renders it disabled (answered, stale, or not the latest). */
export function renderPrompt(
  data: ActionData,
  messageId: string,
  active: boolean,
  answer: (answer: Answer) => Promise<string | null>,
): HTMLFormElement {
  const form = h("form", { className: "prompt" });
  form.setAttribute("aria-label", "Answer the assistant");
  const formId = `prompt-${messageId}`;
  const fields = data.inputs.map((field) => {
    const label = h("label", { textContent: field.label + (field.required ? " *" : "") });
    const input = control(field, formId);
    label.htmlFor = input.id;
    label.append(input);
    form.append(label);
    return { field, input };
  });
  const error = h("p", { className: "error", hidden: true });
  error.setAttribute("role", "alert");
  const buttons = h("div", { className: "buttons" });
  const choices = data.buttons.length > 0 ? data.buttons : [{ id: "", label: "Send answer", value: "" }];
  for (const choice of choices) {
    const button = h("button", { type: "submit", textContent: choice.label, value: choice.id });
    buttons.append(button);
  }
  form.append(buttons, error);
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLButtonElement | HTMLSelectElement>("input, select, button")) {
    el.disabled = !active;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
    const values: { [id: string]: string | number } = {};
    for (const { field, input } of fields) {
      if (input.value === "") continue;
      values[field.id] = field.type === "number" ? Number(input.value) : input.value;
    }
    const payload: Answer = {
      ...(submitter?.value ? { actionId: submitter.value } : {}),
      ...(fields.length > 0 ? { values } : {}),
    };
    form.querySelectorAll("button").forEach((b) => (b.disabled = true));
    void answer(payload).then((problem) => {
      error.hidden = problem === null;
      error.textContent = problem ?? "";
      if (problem !== null && problem.startsWith("Check")) form.querySelectorAll("button").forEach((b) => (b.disabled = false));
    });
  });
  return form;
}
