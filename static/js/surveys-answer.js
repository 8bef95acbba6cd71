// Survey answer pages: display conditions in the browser (the server applies them again and
// discards hidden answers), and focus on the error summary. Loaded with defer: no inline script,
// so the page works under Content-Security-Policy: script-src 'self'.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) return;

  function answer(id) {
    var inputs = form.querySelectorAll('[name="q' + id + '"]');
    if (!inputs.length) return undefined;
    if (inputs[0].type === "radio") {
      var checked = form.querySelector('[name="q' + id + '"]:checked');
      return checked ? Number(checked.value) : undefined;
    }
    if (inputs[0].type === "checkbox") {
      return Array.prototype.filter
        .call(inputs, function (i) { return i.checked; })
        .map(function (i) { return Number(i.value); });
    }
    return inputs[0].value === "" ? undefined : Number(inputs[0].value);
  }

  function holds(cond) {
    var a = answer(cond.question);
    if (a === undefined || (Array.isArray(a) && !a.length)) return false;
    if (cond.op === "equals") return a === cond.value;
    if (cond.op === "includes") return Array.isArray(a) && a.indexOf(cond.value) >= 0;
    if (cond.op === "at_least") return a >= cond.value;
    if (cond.op === "at_most") return a <= cond.value;
    return false;
  }

  function apply() {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var show = holds(JSON.parse(block.getAttribute("data-show-if")));
      block.hidden = !show;
      block.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.disabled = !show;
      });
    });
  }

  form.addEventListener("change", apply);
  form.addEventListener("input", apply);
  apply();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
