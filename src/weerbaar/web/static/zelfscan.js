// Self-assessment pages: open the measure named in the address (#m-2-2), also when the
// hash changes, and move focus to its summary (no inline script: CSP forbids it).
(function () {
  "use strict";
  function target() {
    var id = window.location.hash.slice(1);
    if (!/^m-[0-9-]+$/.test(id)) { return null; }
    var el = document.getElementById(id);
    return el && el.tagName === "DETAILS" ? el : null;
  }
  function openFromHash() {
    var el = target();
    if (el) { el.open = true; }
  }
  function focusTarget() {
    // after the browser's own scroll to the fragment, which resets the focus
    window.setTimeout(function () {
      var el = target();
      var summary = el ? el.querySelector("summary") : null;
      if (summary) { el.open = true; summary.focus(); }
    }, 0);
  }
  document.addEventListener("DOMContentLoaded", openFromHash);
  window.addEventListener("load", focusTarget);
  window.addEventListener("hashchange", focusTarget);
})();
