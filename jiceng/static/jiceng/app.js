// Behaviour every page shares, kept out of the markup so the Content-Security-Policy can forbid inline
// scripts (script-src 'self'): elements say what they do with data-* attributes.
(function () {
  "use strict";

  // <select data-autosubmit>: choosing submits its form (the language switch).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });

  // <span data-tree-toggle>: opens or closes the next level of the tree (htmx loads it on the first click).
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-tree-toggle]");
    if (!el) { return; }
    var open = el.textContent.trim() === "▸";
    el.textContent = open ? "▾" : "▸";
    var sub = el.parentElement.querySelector(".sub");
    if (sub) { sub.classList.toggle("d-none", !open); }
  });

  // <input data-id-number>: a valid resident ID number fills the form's birth date and sex (the server checks
  // them against the number, core/idnumber.py, and fills them when left empty).
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], CHECK = "10X98765432";
  function idFacts(value) {
    var n = String(value || "").replace(/[\uFF10-\uFF19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[ｘＸx]/g, "X").replace(/\s/g, "");
    if (!/^[0-9]{17}[0-9X]$/.test(n)) { return null; }
    var sum = 0;
    for (var i = 0; i < 17; i++) { sum += Number(n[i]) * WEIGHTS[i]; }
    if (CHECK[sum % 11] !== n[17]) { return null; }
    var y = Number(n.slice(6, 10)), m = Number(n.slice(10, 12)), d = Number(n.slice(12, 14));
    var born = new Date(Date.UTC(y, m - 1, d));
    if (born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) { return null; }
    return { birth: n.slice(6, 10) + "-" + n.slice(10, 12) + "-" + n.slice(12, 14), sex: Number(n[16]) % 2 ? "男" : "女" };
  }
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!(el.matches && el.matches("input[data-id-number]") && el.form)) { return; }
    var facts = idFacts(el.value);
    if (!facts) { return; }
    var birth = el.form.elements.namedItem("birth_date"), sex = el.form.elements.namedItem("sex");
    if (birth && birth.value !== facts.birth) { birth.value = facts.birth; birth.dispatchEvent(new Event("change", { bubbles: true })); }
    if (sex && sex.value !== facts.sex) { sex.value = facts.sex; sex.dispatchEvent(new Event("change", { bubbles: true })); }
  });

  // Tables become cards on a phone (jiceng.css): each cell is labelled with its column's header.
  function labelCells(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("main table.table").forEach(function (table) {
      var heads = table.tHead ? Array.prototype.map.call(table.tHead.rows[0] ? table.tHead.rows[0].cells : [],
        function (th) { return th.textContent.trim(); }) : [];
      if (!heads.length) { return; }
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (tr) {
          var col = 0;
          Array.prototype.forEach.call(tr.cells, function (cell) {
            if (!cell.hasAttribute("data-label") && cell.colSpan === 1) { cell.setAttribute("data-label", heads[col] || ""); }
            col += cell.colSpan;
          });
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  document.addEventListener("htmx:load", function () { labelCells(document); });

  // The words the pickers show, rendered in the page's language by base.html (#js-words): none are written here.
  function word(key, values) {
    var el = document.getElementById("js-words"), text = (el && el.dataset[key]) || "";
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  // A search box with a list of answers under it, shared by the people and the organization pickers. `url`
  // answers {results, count, page, more} a page at a time (core.people); `show(result)` is an answer's text,
  // `choose(result)` what picking it does. "More" asks for the next page: nothing is cut off unsaid.
  function searchBox(box, url, words) {
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.autocomplete = "off";
    var list = document.createElement("ul");
    list.className = "list-group picker-results mb-1";
    list.setAttribute("role", "listbox");
    list.id = (box.id || ("picker-" + Math.random().toString(36).slice(2))) + "-results";
    box.setAttribute("aria-controls", list.id);
    box.parentNode.insertBefore(list, box.nextSibling);
    var timer = null, asked = 0, query = "", shown = 0;
    function close() { list.innerHTML = ""; box.setAttribute("aria-expanded", "false"); }
    function item(result) {
      var li = document.createElement("li");
      li.className = "list-group-item list-group-item-action small" + (result.eligible === false ? " text-muted" : "");
      li.setAttribute("role", "option");
      li.tabIndex = -1;
      li.textContent = words.text(result);
      function pick() { words.choose(result); close(); }
      li.addEventListener("click", pick);
      li.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); pick(); }
        if (e.key === "ArrowDown" && li.nextElementSibling) { e.preventDefault(); li.nextElementSibling.focus(); }
        if (e.key === "ArrowUp") { e.preventDefault(); (li.previousElementSibling || box).focus(); }
      });
      return li;
    }
    function note(text) {
      var li = document.createElement("li");
      li.className = "list-group-item small text-muted picker-note";
      li.textContent = text;
      return li;
    }
    function ask(page) {
      var mine = ++asked;
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query) + "&page=" + page,
            { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [], count: 0, page: page, more: false }; })
        .then(function (answer) {
          if (mine !== asked) { return; }
          if (page === 1) { list.innerHTML = ""; shown = 0; }
          list.querySelectorAll(".picker-note, .picker-more").forEach(function (el) { el.remove(); });
          if (!answer.results.length && page === 1) { list.appendChild(note(words.none)); }
          answer.results.forEach(function (result) { list.appendChild(item(result)); });
          shown += answer.results.length;
          if (answer.count) { list.appendChild(note(word("count", { count: answer.count, shown: shown }))); }
          if (answer.more) {
            var more = document.createElement("li");
            more.className = "list-group-item list-group-item-action small text-primary picker-more";
            more.setAttribute("role", "option");
            more.tabIndex = -1;
            more.textContent = word("more");
            more.addEventListener("click", function () { ask(page + 1); });
            more.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); ask(page + 1); } });
            list.appendChild(more);
          }
          box.setAttribute("aria-expanded", "true");
        });
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      query = box.value.trim();
      if (!query) { close(); return; }
      timer = setTimeout(function () { ask(1); }, 200);
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && list.querySelector("[role=option]")) {
        e.preventDefault(); list.querySelector("[role=option]").click();
      }
      if (e.key === "ArrowDown") { var opt = list.querySelector("[role=option]"); if (opt) { e.preventDefault(); opt.focus(); } }
      if (e.key === "Escape") { close(); }
    });
  }

  // <select data-people-search="URL">: a people picker (core.people). A search box above the list asks the
  // URL (the same pool the services accept) as one types; a person chosen from the answers joins the list,
  // selected. The list itself stays the form's field, so the form works without this script too.
  function peoplePicker(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = "1";
    var label = select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "";
    var box = document.createElement("input");
    box.type = "search";
    box.id = select.id + "-search";
    box.className = "form-control form-control-sm mb-1";
    box.setAttribute("aria-label", word("search") + " " + label);
    box.placeholder = word("peoplePlaceholder");
    select.parentNode.insertBefore(box, select);
    searchBox(box, select.dataset.peopleSearch, {
      none: word("noPeople"),
      text: function (person) { return person.label + (person.eligible ? "" : " · " + word("ineligible")); },
      choose: function (person) {
        var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(person.id); });
        if (!option) {
          option = new Option(person.label, person.id);
          select.insertBefore(option, select.options[select.multiple ? 0 : Math.min(1, select.options.length)] || null);
        }
        option.selected = true;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        box.value = "";
      }
    });
  }

  // <input data-org-search="URL">: a filter's organization, typed as its name or code; the answers are the
  // organizations of the scope, and picking one puts what names it alone (its name, or its code) in the box.
  function orgPicker(input) {
    if (input.dataset.pickerReady) { return; }
    input.dataset.pickerReady = "1";
    if (!input.placeholder) { input.placeholder = word("orgPlaceholder"); }
    searchBox(input, input.dataset.orgSearch, {
      none: word("noOrgs"),
      text: function (org) { return org.label; },
      choose: function (org) { input.value = org.value; input.dispatchEvent(new Event("change", { bubbles: true })); }
    });
  }

  function pickers(root) {
    var base = root.querySelectorAll ? root : document;
    base.querySelectorAll("select[data-people-search]").forEach(peoplePicker);
    base.querySelectorAll("input[data-org-search]").forEach(orgPicker);
  }
  document.addEventListener("DOMContentLoaded", function () { pickers(document); });
  document.addEventListener("htmx:load", function (event) { pickers(event.target); });

  // <div data-progress="42">: a progress bar's width, set here rather than in a style attribute.
  function widths(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-progress]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, Number(el.dataset.progress) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:load", function (event) { widths(event.target); });

  // A lazy panel (.lazy-panel) answered "busy" (503 + Retry-After) or failed: ask again after the wait the
  // server named, three times at most, then say so with a link, instead of spinning for ever.
  document.addEventListener("htmx:responseError", function (event) {
    var el = event.detail.elt;
    if (!el.classList || !el.classList.contains("lazy-panel")) { return; }
    var tries = Number(el.dataset.tries || 0) + 1, xhr = event.detail.xhr;
    el.dataset.tries = tries;
    if (tries <= 3 && xhr.status === 503) {
      var wait = Number(xhr.getResponseHeader("Retry-After")) || 5;
      setTimeout(function () { htmx.trigger(el, "retry"); }, wait * 1000);
    } else {
      var note = el.querySelector("p");
      if (note) { note.textContent = el.dataset.failed || ""; }
    }
  });
})();
