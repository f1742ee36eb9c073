// Requests pages: queue keyboard helpers and polite polling. Every action
// also works with a mouse and without JavaScript.
(() => {
  const table = () => document.getElementById("queue-table");
  const rows = () => Array.from(document.querySelectorAll("#queue-body tr.qrow"));
  let current = -1;

  function select(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("current", i === current));
    all[current].focus({ preventScroll: true });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", (event) => {
    if (!table() || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const all = rows();
    if (current >= all.length || (current >= 0 && !all[current].isConnected)) current = -1;
    if (event.key === "j") { select(current + 1); event.preventDefault(); }
    else if (event.key === "k") { select(current < 0 ? 0 : current - 1); event.preventDefault(); }
    else if (event.key === "a" && current >= 0) {
      const assign = all[current].querySelector(".assign-select");
      if (assign) { assign.focus(); event.preventDefault(); }
    } else if (event.key === "Enter" && current >= 0 && event.target.tagName !== "BUTTON" && event.target.tagName !== "A") {
      window.location.href = all[current].dataset.href;
      event.preventDefault();
    }
  });

  document.addEventListener("click", (event) => {
    const row = event.target.closest("#queue-body tr.qrow");
    if (row) current = rows().indexOf(row);
  });

  // The queue body re-renders every minute so "time left" stays true; skip a
  // refresh while the user is in the middle of something in the table.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const body = event.detail.elt;
    if (!body || body.id !== "queue-body" || event.detail.requestConfig.verb !== "get") return;
    const busy = body.querySelector("input:checked, details[open]") || body.contains(document.activeElement) && typing(document.activeElement);
    if (busy || document.hidden) event.preventDefault();
  });

  // After a row swaps in, keep the keyboard cursor on it. On settle, not
  // on swap: htmx's settle step puts back the new row's own class list,
  // which would drop a "current" set any earlier.
  document.addEventListener("htmx:afterSettle", (event) => {
    const el = event.detail.elt;
    if (el && el.matches && el.matches("tr.qrow") && current >= 0) select(current);
  });
})();
