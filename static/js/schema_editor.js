// The request type's form fields as a list (add, reorder, type, required,
// choices) that writes the same JSON schema into the form's textarea, which
// stays the one thing submitted (the server validates it as before) and
// stays editable for power users. Properties the list does not show
// (help_zh, help_en, anything else) are kept as they were.
(() => {
  const editor = document.querySelector("[data-schema-editor]");
  if (!editor) return;
  const textarea = document.getElementById(editor.dataset.schemaEditor);
  const list = editor.querySelector(".schema-fields");
  const template = editor.querySelector("template");
  const empty = editor.querySelector(".schema-empty");
  const jsonError = editor.querySelector(".schema-json-error");
  const raw = document.querySelector("[data-schema-raw]");
  let fields = [];

  function parse(text) {
    if (!text.trim()) return [];
    const value = JSON.parse(text);
    if (!Array.isArray(value) || !value.every((f) => f && typeof f === "object" && !Array.isArray(f))) {
      throw new Error("not a list of fields");
    }
    return value;
  }

  function choicesText(choices) {
    return (choices || []).map((c) => {
      if (c && typeof c === "object") {
        const parts = [c.value ?? "", c.label_zh ?? "", c.label_en ?? ""];
        while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
        return parts.join(" | ");
      }
      return String(c);
    }).join("\n");
  }

  function parseChoices(text) {
    return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
      const parts = line.split("|").map((p) => p.trim());
      if (parts.length === 1) return parts[0];
      const choice = { value: parts[0], label_zh: parts[1] || "" };
      if (parts[2]) choice.label_en = parts[2];
      return choice;
    });
  }

  function write() {
    textarea.value = JSON.stringify(fields, null, 2);
    jsonError.hidden = true;
  }

  function render() {
    list.replaceChildren();
    fields.forEach((field, index) => {
      const row = template.content.firstElementChild.cloneNode(true);
      row.dataset.index = String(index);
      row.querySelector('[data-prop="key"]').value = field.key ?? "";
      row.querySelector('[data-prop="label_zh"]').value = field.label_zh ?? "";
      row.querySelector('[data-prop="label_en"]').value = field.label_en ?? "";
      row.querySelector('[data-prop="type"]').value = field.type ?? "text";
      row.querySelector('[data-prop="required"]').checked = Boolean(field.required);
      row.querySelector('[data-prop="choices"]').value = choicesText(field.choices);
      row.querySelector(".sf-choices").hidden = field.type !== "choice";
      row.querySelector('[data-move="-1"]').disabled = index === 0;
      row.querySelector('[data-move="1"]').disabled = index === fields.length - 1;
      list.append(row);
    });
    empty.hidden = fields.length > 0;
  }

  function update(event) {
    const row = event.target.closest(".schema-field");
    const prop = event.target.dataset.prop;
    if (!row || !prop) return;
    const field = fields[Number(row.dataset.index)];
    if (prop === "required") field.required = event.target.checked;
    else if (prop === "choices") field.choices = parseChoices(event.target.value);
    else field[prop] = event.target.value;
    if (prop === "type") {
      if (field.type === "choice") field.choices = field.choices || [];
      else delete field.choices;
      row.querySelector(".sf-choices").hidden = field.type !== "choice";
    }
    write();
  }

  list.addEventListener("input", update);
  list.addEventListener("change", update);
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    const row = button && button.closest(".schema-field");
    if (!row) return;
    const index = Number(row.dataset.index);
    let focusIndex = index;
    if (button.hasAttribute("data-remove")) {
      fields.splice(index, 1);
      focusIndex = Math.min(index, fields.length - 1);
    } else if (button.dataset.move) {
      const to = index + Number(button.dataset.move);
      if (to < 0 || to >= fields.length) return;
      [fields[index], fields[to]] = [fields[to], fields[index]];
      focusIndex = to;
    }
    write();
    render();
    const moved = list.children[focusIndex];
    if (moved) (moved.querySelector(`[data-move="${button.dataset.move}"]:not(:disabled)`) || moved.querySelector("input")).focus();
  });
  editor.querySelector("[data-add]").addEventListener("click", () => {
    fields.push({ key: `field_${fields.length + 1}`, label_zh: "", label_en: "", type: "text", required: false });
    write();
    render();
    list.lastElementChild.querySelector('[data-prop="label_zh"]').focus();
  });
  // Power users edit the JSON: the list follows whenever it parses.
  textarea.addEventListener("input", () => {
    try {
      fields = parse(textarea.value);
      jsonError.hidden = true;
      render();
    } catch {
      jsonError.hidden = false;
    }
  });

  try {
    fields = parse(textarea.value);
  } catch {
    // Not a list the editor understands (the server said why): edit the JSON.
    return;
  }
  editor.hidden = false;
  render();
  if (raw && !raw.querySelector(".has-error")) raw.open = false;
})();
