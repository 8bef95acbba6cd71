// Markdown editors: a Write / Preview switch above each textarea[data-markdown-preview]. The
// preview is rendered on the server by the sanitiser every page uses (config/markdown.py), so
// it shows exactly what the page will. Static file only: the CSP forbids inline scripts.
(function () {
  "use strict";
  // Django's JavaScript catalogue (/jsi18n/, loaded first by base.html); English without it.
  var gettext = window.gettext || function (s) { return s; };
  var counter = 0;

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function setup(textarea) {
    if (textarea.dataset.previewReady) return;
    textarea.dataset.previewReady = "1";
    var id = "mdp-" + (++counter);
    var tabs = document.createElement("div");
    tabs.className = "md-tabs";
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", gettext("Write or preview"));
    var write = document.createElement("button");
    var preview = document.createElement("button");
    [[write, "write", gettext("Write")], [preview, "preview", gettext("Preview")]].forEach(function (pair) {
      var b = pair[0];
      b.type = "button";
      b.className = "md-tab";
      b.textContent = pair[2];
      b.setAttribute("role", "tab");
      b.id = id + "-" + pair[1];
      tabs.appendChild(b);
    });
    var panel = document.createElement("div");
    panel.className = "md-preview prose";
    panel.id = id + "-panel";
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", preview.id);
    panel.setAttribute("aria-live", "polite");
    panel.tabIndex = 0;
    panel.hidden = true;
    write.setAttribute("aria-controls", textarea.id || "");
    preview.setAttribute("aria-controls", panel.id);
    textarea.parentNode.insertBefore(tabs, textarea);
    textarea.parentNode.insertBefore(panel, textarea.nextSibling);

    function select(showPreview) {
      write.setAttribute("aria-selected", String(!showPreview));
      preview.setAttribute("aria-selected", String(showPreview));
      write.tabIndex = showPreview ? -1 : 0;
      preview.tabIndex = showPreview ? 0 : -1;
      textarea.hidden = showPreview;
      panel.hidden = !showPreview;
    }
    select(false);

    write.addEventListener("click", function () { select(false); textarea.focus(); });
    preview.addEventListener("click", function () {
      select(true);
      panel.textContent = gettext("Rendering…");
      var body = new URLSearchParams();
      body.set("text", textarea.value);
      fetch(textarea.dataset.markdownPreview, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form), "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString(),
      }).then(function (r) {
        return r.text().then(function (t) { return { ok: r.ok, text: t }; });
      }).then(function (res) {
        if (res.ok) panel.innerHTML = res.text;  // sanitised by the server (nh3 allow-list)
        else panel.textContent = res.text || gettext("The preview failed.");
      }).catch(function () {
        panel.textContent = gettext("The preview failed: check your connection.");
      });
    });
    tabs.addEventListener("keydown", function (e) {
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        var toPreview = document.activeElement === write;
        (toPreview ? preview : write).focus();
        (toPreview ? preview : write).click();
        e.preventDefault();
      }
    });
  }

  function init(root) {
    root.querySelectorAll("textarea[data-markdown-preview]").forEach(setup);
  }
  function start() {
    init(document);
    document.body.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
