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

  document.addEventListener("htmx:afterSettle", (event) => {
    const swapped = event.detail && event.detail.target;
    const input = document.getElementById("link-q");
    if (!swapped || !input) return;
    if (swapped.id === "link-results") {
      input.setAttribute("aria-expanded", results().length ? "true" : "false");
    } else if (swapped.id === "link-control") {
      input.focus();  // the chosen item's "change" button, or the search box again
    }
  });
})();
