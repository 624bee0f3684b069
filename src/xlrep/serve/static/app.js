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
    // 新建收集: the 上年 round follows the year typed (the server refuses any other year anyway).
    each("select[data-previous-for]", function (select) {
      var year = document.querySelector("input[name=" + select.getAttribute("data-previous-for") + "]");
      if (!year) { return; }
      year.addEventListener("input", function () {
        var wanted = String(parseInt(year.value, 10) - 1), chosen = "";
        for (var i = 0; i < select.options.length; i++) {
          var option = select.options[i], of = option.getAttribute("data-year");
          option.disabled = Boolean(of) && of !== wanted;
          if (!chosen && of === wanted) { chosen = option.value; }
        }
        select.value = chosen;
        select.dispatchEvent(new Event("change"));
      });
    });
    // 新建收集: the list of units starts as last year's (to edit before creating), unless typed already.
    each("textarea[data-roster-from]", function (area) {
      var select = document.querySelector("select[name=" + area.getAttribute("data-roster-from") + "]");
      if (!select) { return; }
      var filled = area.value;
      select.addEventListener("change", function () {
        if (area.value !== filled || !select.value) { return; }
        fetch("/admin/rounds/" + encodeURIComponent(select.value) + "/roster.txt", { credentials: "same-origin" })
          .then(function (answer) { return answer.ok ? answer.text() : null; })
          .then(function (text) { if (text !== null && area.value === filled) { area.value = filled = text; } });
      });
    });
    each("[data-print]", function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
