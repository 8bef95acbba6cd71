// Register-version form: send it with XMLHttpRequest so the upload shows its progress.
// Without JavaScript the form posts as usual.
(function () {
  "use strict";
  var form = document.getElementById("version-form");
  if (!form || !window.FormData) return;
  var bar = document.getElementById(form.dataset.progress);
  var text = document.getElementById("upload-progress-text");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    var started = Date.now();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round((100 * e.loaded) / e.total);
      var rate = e.loaded / Math.max(1, (Date.now() - started) / 1000);
      bar.hidden = false;
      bar.value = pct;
      text.textContent = interpolate(
        gettext("%(percent)s (%(rate)s MB/s)"),
        { percent: pct + "%", rate: (rate / 1048576).toFixed(1) },
        true
      );
    });
    xhr.addEventListener("load", function () {
      if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== window.location.href) {
        window.location.assign(xhr.responseURL);
        return;
      }
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var fresh = doc.getElementById("version-form");
      if (fresh) {
        form.innerHTML = fresh.innerHTML;
        text = document.getElementById("upload-progress-text");
        bar = document.getElementById(form.dataset.progress);
      } else {
        window.location.reload();
      }
    });
    xhr.addEventListener("error", function () {
      text.textContent = gettext("The upload failed (connection lost). Try again.");
    });
    xhr.send(new FormData(form));
  });
})();
