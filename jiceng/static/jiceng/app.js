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

  // <div data-progress="42">: a progress bar's width, set here rather than in a style attribute.
  function widths(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-progress]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, Number(el.dataset.progress) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:load", function (event) { widths(event.target); });
})();
