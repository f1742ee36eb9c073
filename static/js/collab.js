// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");

document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".menu-toggle");
  if (!toggle) return;
  const nav = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = nav.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});

document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) el.form.requestSubmit();
});

// Menus built on <details> (the user menu) close when
// the user clicks elsewhere or presses Escape, as menus do.
function closeMenus(except) {
  document.querySelectorAll("details.user-menu[open]").forEach((menu) => {
    if (menu !== except) menu.removeAttribute("open");
  });
}
document.addEventListener("click", (event) => closeMenus(event.target.closest("details")));
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeMenus(null);
});

// A decision is sent once: a second click on a form with a [data-once]
// button while the first post is on its way does nothing (the server would
// refuse it anyway: the step is already decided).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.querySelector("[data-once]")) return;
  if (form.dataset.sent) event.preventDefault();
  else form.dataset.sent = "1";
});

// Sections marked data-phone-collapse start folded on phones and stay open
// (their summary hidden by the stylesheet) on wider screens.
const phone = window.matchMedia("(max-width: 720px)");
function foldForWidth() {
  document.querySelectorAll("details[data-phone-collapse]").forEach((section) => {
    section.open = !phone.matches;
  });
}
foldForWidth();
phone.addEventListener("change", foldForWidth);
