// Keyboard shortcuts for the review form (no inline script: CSP forbids it).
// j / n / a: relevant ja / nee / andere maatregel; 1-4: stage; Enter: save and next;
// u: undo the last change. Inactive while typing in a text field, and can be switched
// off (WCAG 2.1.4); the choice is remembered in localStorage.
(function () {
  "use strict";
  // v: next open passage, on every page (not while typing; off with the shortcut switch).
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "v" || ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) { return; }
    var t = ev.target;
    var tag = t && t.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) { return; }
    if (tag === "INPUT" && ["radio", "checkbox", "submit", "button"].indexOf((t.getAttribute("type") || "text").toLowerCase()) < 0) { return; }
    var sw = document.getElementById("sneltoetsen");
    if (sw && !sw.checked) { return; }
    try { if (!sw && window.localStorage.getItem("weerbaar.sneltoetsen") === "uit") { return; } } catch (e) { /* no storage */ }
    var link = document.getElementById("volgende-open");
    if (link) { ev.preventDefault(); window.location.assign(link.getAttribute("href")); }
  });
})();
(function () {
  "use strict";
  var form = document.getElementById("beslissing");
  if (!form) { return; }
  var toggle = document.getElementById("sneltoetsen");
  var KEY = "weerbaar.sneltoetsen";
  if (toggle) {
    try { toggle.checked = window.localStorage.getItem(KEY) !== "uit"; } catch (e) { /* no storage */ }
    toggle.addEventListener("change", function () {
      try { window.localStorage.setItem(KEY, toggle.checked ? "aan" : "uit"); } catch (e) { /* ignore */ }
    });
  }
  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") { return true; }
    if (tag === "INPUT") {
      var t = (el.getAttribute("type") || "text").toLowerCase();
      return ["radio", "checkbox", "submit", "button"].indexOf(t) < 0;
    }
    return el.isContentEditable;
  }
  function pick(name, key) {
    var el = form.querySelector('input[name="' + name + '"][data-key="' + key + '"]');
    if (el) { el.checked = true; el.focus(); sync(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (ev) {
    if (toggle && !toggle.checked) { return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) { return; }
    var target = ev.target;
    if (typing(target)) { return; }
    var k = ev.key;
    var handled = false;
    if (k === "j" || k === "n" || k === "a") {
      handled = pick("relevant", k);
      if (k === "a") {
        var other = document.getElementById("andere_maatregel");
        if (other) { other.focus(); }
      }
    } else if (k === "1" || k === "2" || k === "3" || k === "4") {
      handled = pick("fase", k);
    } else if (k === "u") {
      var undo = document.getElementById("ongedaan");
      if (undo) { undo.requestSubmit(); handled = true; }
    } else if (k === "Enter") {
      // On links and buttons Enter keeps its own meaning.
      if (target && (target.tagName === "A" || target.tagName === "BUTTON" || target.tagName === "SUMMARY")) { return; }
      form.requestSubmit();
      handled = true;
    }
    if (handled) { ev.preventDefault(); }
  });
  // Show the "other measure" choice as needed for "hoort bij andere maatregel".
  var other = document.getElementById("andere_maatregel");
  function sync() {
    var chosen = form.querySelector('input[name="relevant"]:checked');
    if (other) { other.required = !!(chosen && chosen.value === "andere"); }
    // "ja" needs a stage chosen by the reviewer (the suggestion is never pre-selected)
    var stages = form.querySelectorAll('input[name="fase"]');
    for (var i = 0; i < stages.length; i++) { stages[i].required = !!(chosen && chosen.value === "ja"); }
  }
  form.addEventListener("change", sync);
  sync();
})();
