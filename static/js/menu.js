// The site navigation as a menu on narrow screens (issue 16, defect 8). A static file: the
// Content Security Policy forbids inline scripts. Without JavaScript the links simply wrap.
(function () {
  "use strict";
  // Django's JavaScript catalogue (/jsi18n/, loaded first by base.html); English without it.
  var gettext = window.gettext || function (s) { return s; };
  document.documentElement.classList.add("js-menu");
  function setUp() {
    var header = document.querySelector(".site-header");
    var inner = header && header.querySelector(".header-inner");
    if (!inner || inner.querySelector(".menu-toggle")) return;
    var navs = inner.querySelectorAll("nav");
    navs.forEach(function (nav, i) { if (!nav.id) nav.id = "site-menu-" + i; });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "menu-toggle secondary small";
    button.textContent = gettext("Menu");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", Array.prototype.map.call(navs, function (n) { return n.id; }).join(" "));
    var brand = inner.querySelector(".brand");
    if (brand && brand.nextSibling) inner.insertBefore(button, brand.nextSibling);
    else inner.appendChild(button);
    button.addEventListener("click", function () {
      var open = header.classList.toggle("menu-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("menu-open")) {
        header.classList.remove("menu-open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
