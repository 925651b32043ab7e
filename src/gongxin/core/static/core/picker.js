/* Search as you type for a <select data-picker="URL">: a search box above the select asks URL?q=… (same
   origin, the page's own session) and shows the answers as the select's options. Without this script the
   select lists every choice by name and works as it is. data-picker-params names other fields of the form
   whose values go along (e.g. "department"); data-picker-placeholder is the box's placeholder. */
(function () {
  "use strict";

  function option(value, label) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = label;
    return element;
  }

  function enhance(select) {
    var url = select.getAttribute("data-picker");
    if (!url || !window.fetch) { return; }
    var original = Array.prototype.slice.call(select.childNodes).map(function (node) { return node.cloneNode(true); });
    var box = document.createElement("input");
    box.type = "search";
    box.autocomplete = "off";
    box.className = "picker-search";
    box.placeholder = select.getAttribute("data-picker-placeholder") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    var params = (select.getAttribute("data-picker-params") || "").split(/\s+/).filter(Boolean);
    var timer = null;
    var asked = 0;

    function restore() {
      var chosen = select.value;
      select.innerHTML = "";
      original.forEach(function (node) { select.appendChild(node.cloneNode(true)); });
      select.value = chosen;
      select.removeAttribute("size");
    }

    function show(results, ticket) {
      if (ticket !== asked) { return; }  /* an older answer arriving late */
      var chosen = select.value;
      select.innerHTML = "";
      select.appendChild(option("", results.length ? "" : (select.getAttribute("data-picker-empty") || "—")));
      results.forEach(function (result) {
        select.appendChild(option(result.value, result.detail ? result.label + " · " + result.detail : result.label));
      });
      if (results.length === 1) {
        select.value = results[0].value;
      } else {
        select.value = chosen;
      }
      select.size = Math.min(Math.max(results.length + 1, 2), 8);
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function search() {
      var text = box.value.trim();
      if (!text) { restore(); return; }
      var query = new URLSearchParams({ q: text });
      params.forEach(function (name) {
        var field = select.form && select.form.elements[name];
        if (field && field.value) { query.set(name, field.value); }
      });
      asked += 1;
      var ticket = asked;
      fetch(url + "?" + query.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) { show(body.results || [], ticket); })
        .catch(function () { restore(); });
    }

    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-picker]"), enhance);
  });
})();
