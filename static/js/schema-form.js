// The card form generated from a JSON Schema (templates/includes/schema_form.html): shows the
// chosen way of writing the card (form or JSON), copies the values across when one switches, and
// checks each field as one types (the HTML constraints carry the schema's limits). A static file:
// the Content Security Policy forbids inline scripts. Without JavaScript both parts are shown and
// the "card_mode" radio says which one the server reads.
(function () {
  "use strict";
  // Django's JavaScript catalogue (/jsi18n/, loaded first by base.html); English without it.
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (m, key) { return String(obj[key]); });
  };

  function parsePointer(name, prefix) {
    return name.slice(prefix.length).split("/").slice(1).map(function (part) {
      return part.replace(/~1/g, "/").replace(/~0/g, "~");
    });
  }

  function isEmpty(v) {
    return v === undefined || v === null || v === "" ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);
  }

  function prune(v) {
    if (Array.isArray(v)) return v.map(prune).filter(function (x) { return !isEmpty(x); });
    if (v && typeof v === "object") {
      var out = {};
      Object.keys(v).forEach(function (k) { var x = prune(v[k]); if (!isEmpty(x)) out[k] = x; });
      return out;
    }
    return v;
  }

  function typed(el) {
    var kind = el.dataset.kind, raw = el.value;
    if (kind === "lines") return raw.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    if (raw === "") return undefined;
    if (kind === "integer" && /^-?\d+$/.test(raw)) return parseInt(raw, 10);
    if (kind === "number" && !isNaN(Number(raw))) return Number(raw);
    if (kind === "boolean") return raw === "yes";
    return raw;
  }

  function setIn(target, path, value) {
    var node = target;
    for (var i = 0; i < path.length - 1; i++) {
      var key = path[i], nextIsIndex = /^\d+$/.test(path[i + 1]);
      if (node[key] === undefined) node[key] = nextIsIndex ? [] : {};
      node = node[key];
    }
    node[path[path.length - 1]] = value;
  }

  function toJSON(fields, prefix) {
    var card = {};
    fields.querySelectorAll("[data-kind]").forEach(function (el) {
      var path = parsePointer(el.name, prefix);
      if (el.dataset.kind === "multi_enum") {
        var list = path.reduce(function (n, k) { return n && n[k]; }, card) || [];
        if (el.checked) list.push(el.value);
        setIn(card, path, list);
      } else {
        setIn(card, path, typed(el));
      }
    });
    return prune(card);
  }

  function fromJSON(fields, prefix, card) {
    fields.querySelectorAll("[data-kind]").forEach(function (el) {
      var value = parsePointer(el.name, prefix).reduce(function (n, k) {
        return n === undefined || n === null ? undefined : n[k];
      }, card);
      var kind = el.dataset.kind;
      if (kind === "multi_enum") el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      else if (kind === "lines") el.value = Array.isArray(value) ? value.join("\n") : "";
      else if (kind === "boolean") el.value = value === true ? "yes" : value === false ? "no" : "";
      else el.value = value === undefined || value === null ? "" : String(value);
      check(el);
    });
  }

  function check(el) {
    var message = el.parentNode.querySelector(".field-error.live");
    if (!message || !el.willValidate) return;
    var text = el.validity.valid ? "" : el.validationMessage;
    message.textContent = text;
    message.hidden = !text;
    el.setAttribute("aria-invalid", text ? "true" : "false");
  }

  function setUp(root) {
    var prefix = root.dataset.prefix;
    var fields = root.querySelector(".schema-form-fields");
    var json = root.querySelector(".schema-form-json");
    var textarea = json.querySelector("textarea");
    var radios = root.querySelectorAll("input[name=card_mode]");
    var note = document.createElement("p");
    note.className = "field-error";
    note.hidden = true;
    note.setAttribute("role", "alert");
    json.appendChild(note);

    function show(mode) {
      fields.hidden = mode !== "form";
      json.hidden = mode !== "json";
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (!radio.checked) return;
        if (radio.value === "json") {
          textarea.value = JSON.stringify(toJSON(fields, prefix), null, 2);
          show("json");
        } else {
          try {
            fromJSON(fields, prefix, JSON.parse(textarea.value || "{}"));
            note.hidden = true;
            show("form");
          } catch (e) {
            note.textContent = interpolate(
              gettext("The JSON does not parse (%(error)s); correct it to go back to the form."),
              { error: e.message }, true);
            note.hidden = false;
            root.querySelector("input[name=card_mode][value=json]").checked = true;
          }
        }
      });
    });
    var checked = root.querySelector("input[name=card_mode]:checked");
    show(checked ? checked.value : "form");
    fields.addEventListener("input", function (event) { if (event.target.dataset.kind) check(event.target); });
    fields.addEventListener("focusout", function (event) { if (event.target.dataset.kind) check(event.target); });
  }

  function init() { document.querySelectorAll("[data-schema-form]").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
