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

// A searchable list: a select marked data-searchable gets a search box above it that hides
// the options (and empty groups) not matching what is typed. Without this script the
// select still works, grouped, with the browser's own type-ahead.
document.addEventListener("DOMContentLoaded", function () {
  var lists = document.querySelectorAll("select[data-searchable]");
  Array.prototype.forEach.call(lists, function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.id = select.id + "-zoeken";
    box.setAttribute("autocomplete", "off");
    box.setAttribute("aria-controls", select.id);
    var label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = select.getAttribute("data-search-label") || "Zoek in de lijst";
    var wrap = document.createElement("div");
    wrap.className = "list-search";
    wrap.appendChild(label);
    wrap.appendChild(box);
    select.parentNode.insertBefore(wrap, select);
    var fold = function (text) {
      return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    };
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
        option.hidden = wanted !== "" && fold(option.textContent).indexOf(wanted) === -1;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      var first = select.querySelector("option:not([hidden])");
      if (wanted !== "" && first && (!select.selectedOptions.length || select.selectedOptions[0].hidden)) {
        first.selected = true;
      }
    });
  });
});
