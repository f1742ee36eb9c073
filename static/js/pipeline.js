// The "customer / deal" field of the request form (pipeline/_link_picker.html).
// htmx does the searching and picking; this only makes the keyboard behave:
// Enter picks the first result instead of submitting the request, arrow keys
// move through the results, Escape closes them.
(() => {
  if (window.collabLinkPicker) return;
  window.collabLinkPicker = true;

  const results = () => Array.from(document.querySelectorAll("#link-results .link-option"));

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const input = target.closest("#link-q[type=search]");
    const option = target.closest(".link-option");
    if (!input && !option) return;
    const options = results();
    if (event.key === "Enter" && input) {
      event.preventDefault();
      if (options.length) options[0].click();
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      const next = options[option ? options.indexOf(option) + 1 : 0];
      if (next) next.focus();
    } else if (event.key === "ArrowUp" && option) {
      event.preventDefault();
      const index = options.indexOf(option) - 1;
      (index >= 0 ? options[index] : document.getElementById("link-q")).focus();
    } else if (event.key === "Escape") {
      const list = document.getElementById("link-results");
      if (list) list.innerHTML = "";
      document.getElementById("link-q")?.focus();
    }
  });

  // Fields the chosen customer/deal answers (the type's 客户名称) are filled
  // from it and hidden while linked; unlinking shows them again, emptied.
  const syncFromLink = () => {
    const chosen = document.getElementById("link-chosen");
    document.querySelectorAll("[data-from-link=customer]").forEach((field) => {
      const wrapper = field.closest(".field") || field;
      if (chosen) {
        field.value = chosen.dataset.customer || field.value;
        field.dataset.filledFromLink = "1";
        wrapper.hidden = true;
      } else {
        if (field.dataset.filledFromLink) field.value = "";
        delete field.dataset.filledFromLink;
        wrapper.hidden = false;
      }
    });
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", syncFromLink);
  } else {
    syncFromLink();
  }

  document.addEventListener("htmx:afterSettle", (event) => {
    const swapped = event.detail && event.detail.target;
    const input = document.getElementById("link-q");
    if (swapped && swapped.id === "link-control") syncFromLink();
    if (!swapped || !input) return;
    if (swapped.id === "link-results") {
      input.setAttribute("aria-expanded", results().length ? "true" : "false");
    } else if (swapped.id === "link-control") {
      input.focus();  // the chosen item's "change" button, or the search box again
    }
  });
})();
