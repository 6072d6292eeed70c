// exitmatch review: keyboard shortcuts for working the queue. No framework, no network.
(function () {
  "use strict";
  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
  }
  function go(id) {
    var link = document.getElementById(id);
    if (link) { window.location.href = link.href; }
  }
  function click(id) {
    var button = document.getElementById(id);
    if (button) { button.click(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr[data-href]"));
    var selected = rows.length ? 0 : -1;
    function select(index) {
      if (!rows.length) { return; }
      selected = Math.max(0, Math.min(rows.length - 1, index));
      rows.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
      rows[selected].scrollIntoView({ block: "nearest" });
    }
    if (rows.length) { select(0); }
    rows.forEach(function (row, i) {
      row.addEventListener("click", function (event) {
        if (event.target.tagName !== "A") { window.location.href = row.dataset.href; }
      });
      row.addEventListener("mouseenter", function () { select(i); });
    });
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (typing(event)) {
        if (event.key === "Escape") { event.target.blur(); }
        return;
      }
      var key = event.key;
      if (rows.length) {
        if (key === "j" || key === "ArrowDown") { select(selected + 1); event.preventDefault(); return; }
        if (key === "k" || key === "ArrowUp") { select(selected - 1); event.preventDefault(); return; }
        if (key === "Enter" || key === "o") { window.location.href = rows[selected].dataset.href; return; }
      }
      if (document.getElementById("queue")) {
        if (key === "n") { go("next-page"); return; }
        if (key === "p") { go("prev-page"); return; }
        if (key === "/") {
          var first = document.querySelector("#filters select");
          if (first) { first.focus(); event.preventDefault(); }
          return;
        }
      } else {
        if (key === "j") { go("next-case"); return; }
        if (key === "k") { go("prev-case"); return; }
        if (key === "u") { go("back-to-queue"); return; }
        if (key === "a") { click("accept"); return; }
        if (key === "d") { click("defer"); return; }
        if (key === "r") {
          var reason = document.getElementById("reason");
          if (reason) { reason.focus(); event.preventDefault(); }
        }
      }
    });
  });
})();
