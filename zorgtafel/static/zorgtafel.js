// Progressive enhancement only: every page works without this file. No inline script
// anywhere (the Content-Security-Policy forbids it); behaviour hangs on ids and classes.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen readers announce it first.
  var summary = document.getElementById("foutmeldingen");
  if (!summary) { return; }
  summary.focus();
  // A link in the summary puts focus in its field (a group: its first choice) and shows
  // the field's label or legend too, not only the input.
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) { return; }
    var input = target.matches("input, select, textarea, button") ? target
      : target.querySelector("input:not([type=hidden]), select, textarea");
    if (!input) { return; }
    event.preventDefault();
    var anchor = target.closest(".field") || target;
    anchor.scrollIntoView();
    input.focus({ preventScroll: true });
  });
});
