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

  // <div data-progress="42">: a progress bar's width, set here rather than in a style attribute.
  function widths(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-progress]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, Number(el.dataset.progress) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:load", function (event) { widths(event.target); });
})();
