// Page behaviour that used to sit in inline handlers: the Content-Security-Policy runs our own files only.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) { field.form.submit(); }
});

// --- Confirmation of irreversible actions (procedures helper, issue 13) ---------------------------------
// A submit button or form with data-confirm="…" asks first and says what will happen; cancelling the
// dialog submits nothing. The text comes from the page (translated there), never from this file.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var text = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
  if (text && !window.confirm(text)) { event.preventDefault(); event.stopImmediatePropagation(); }
}, true);

// The 菜单 button of a narrow screen shows and hides the left-hand menu it names.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-menu-toggle]");
  if (!button) { return; }
  var menu = document.getElementById(button.getAttribute("data-menu-toggle"));
  if (menu) { button.setAttribute("aria-expanded", menu.classList.toggle("open") ? "true" : "false"); }
});
