// Self-assessment pages: open the measure named in the address (#m-2-2), also when the
// hash changes, and move focus to its summary (no inline script: CSP forbids it).
(function () {
  "use strict";
  function openFromHash() {
    var id = window.location.hash.slice(1);
    if (!/^m-[0-9-]+$/.test(id)) { return; }
    var el = document.getElementById(id);
    if (!el || el.tagName !== "DETAILS") { return; }
    el.open = true;
    var summary = el.querySelector("summary");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", openFromHash);
  window.addEventListener("hashchange", openFromHash);
})();
