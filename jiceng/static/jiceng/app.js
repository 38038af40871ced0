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

  // <select multiple data-people-search="URL">: a people picker. A search box above the list asks the URL
  // (the same pool the services accept) as one types; a person chosen from the answers joins the list,
  // selected. The list itself stays the form's field, so the form works without this script too.
  function peoplePicker(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = "1";
    var label = select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-label", "搜索" + label);
    box.placeholder = "输入姓名或所在组织搜索";
    box.autocomplete = "off";
    var list = document.createElement("ul");
    list.className = "list-group people-results mb-1";
    list.setAttribute("role", "listbox");
    list.id = select.id + "-results";
    box.setAttribute("aria-controls", list.id);
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(list, select);
    var timer = null, asked = 0;
    function choose(person) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(person.id); });
      if (!option) {
        option = new Option(person.label, person.id);
        select.insertBefore(option, select.firstChild);
      }
      option.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      list.innerHTML = "";
      box.value = "";
      box.setAttribute("aria-expanded", "false");
    }
    function show(answer) {
      list.innerHTML = "";
      if (!answer.results.length) {
        var none = document.createElement("li");
        none.className = "list-group-item small text-muted";
        none.textContent = "没有找到符合的人员";
        list.appendChild(none);
      }
      answer.results.forEach(function (person) {
        var item = document.createElement("li");
        item.className = "list-group-item list-group-item-action small" + (person.eligible ? "" : " text-muted");
        item.setAttribute("role", "option");
        item.tabIndex = -1;
        item.textContent = person.label + (person.eligible ? "" : " · 不符合条件");
        item.addEventListener("click", function () { choose(person); });
        item.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); choose(person); } });
        list.appendChild(item);
      });
      if (answer.more) {
        var more = document.createElement("li");
        more.className = "list-group-item small text-muted";
        more.textContent = "还有更多，请输入更完整的姓名";
        list.appendChild(more);
      }
      box.setAttribute("aria-expanded", "true");
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var q = box.value.trim();
      if (!q) { list.innerHTML = ""; box.setAttribute("aria-expanded", "false"); return; }
      timer = setTimeout(function () {
        var mine = ++asked;
        fetch(select.dataset.peopleSearch + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [], more: false }; })
          .then(function (answer) { if (mine === asked) { show(answer); } });
      }, 200);
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); var first = list.querySelector("[role=option]"); if (first) { first.click(); } }
      if (e.key === "ArrowDown") { var opt = list.querySelector("[role=option]"); if (opt) { e.preventDefault(); opt.focus(); } }
    });
  }
  function pickers(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select[data-people-search]").forEach(peoplePicker);
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
})();
