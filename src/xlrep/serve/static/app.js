/* xlrep serve: small conveniences; every page works without them. No inline script anywhere (CSP). */
(function () {
  "use strict";
  function each(selector, fn) {
    var nodes = document.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) { fn(nodes[i]); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    // Uploads: refuse a file over the size limit before sending it; show that the check is running.
    each("form.upload", function (form) {
      form.addEventListener("submit", function (event) {
        var input = form.querySelector("input[type=file]");
        var max = parseInt(form.getAttribute("data-max"), 10);
        if (input && input.files && input.files[0] && max && input.files[0].size > max) {
          event.preventDefault();
          window.alert("文件超过 " + form.getAttribute("data-max-text") + "，不像是填报表。请确认选对了文件。");
          return;
        }
        var button = form.querySelector("button[data-busy]");
        if (button) {
          window.setTimeout(function () { button.disabled = true; button.textContent = button.getAttribute("data-busy"); }, 0);
        }
      });
    });
    each("form[data-confirm]", function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
    each("[data-print]", function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
