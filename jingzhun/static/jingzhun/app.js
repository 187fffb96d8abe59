// Page behaviour that used to sit in inline handlers: the Content-Security-Policy runs our own files only.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) { field.form.submit(); }
});
