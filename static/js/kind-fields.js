// Forms whose fields depend on a kind (a proposal, a survey question): show only the chosen
// kind's fields, in place. Without JavaScript the server does the same, through the kind
// field's "Show its fields" button (config/kindforms.py). No inline script: the CSP forbids it.
(function () {
  "use strict";
  function apply(select) {
    var form = select.form;
    if (!form) return;
    form.querySelectorAll("[data-kinds]").forEach(function (field) {
      field.hidden = field.getAttribute("data-kinds").split(" ").indexOf(select.value) === -1;
    });
  }
  function init(root) {
    root.querySelectorAll("select[data-kind-select]").forEach(function (select) {
      if (select.dataset.kindReady) return;
      select.dataset.kindReady = "1";
      var form = select.form;
      if (form) {
        form.querySelectorAll("[data-kind-refresh]").forEach(function (b) { b.hidden = true; });
      }
      select.addEventListener("change", function () { apply(select); });
      apply(select);
    });
  }
  function start() {
    init(document);
    // htmx swaps in new forms (the survey editor): set them up too.
    document.body.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
