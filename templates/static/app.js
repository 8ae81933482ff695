// Pumpurs' one script, progressive only: every page works without it.
// A page that shows an error summary moves the focus to it, so that a screen reader reads the
// problems first and a keyboard user can follow their links to the fields.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
