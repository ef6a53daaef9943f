// Live parts of a page: the help queue at the desk, a ticket at the
// kiosk. An element with data-live follows the server's event stream
// (server-sent events) and takes each update's HTML in place of its own.
// Without script, or without EventSource, the page shows what the server
// rendered, and a reload shows what changed.
(function () {
  "use strict";
  if (!window.EventSource) return;

  // A speaker that came with an update: shown as kiosk.js shows the
  // page's own (a sound of its own, or a browser voice for the language).
  function fitSpeakers(box) {
    var ref = document.querySelector(".kiosk-bar button.speak");
    var voice = ref && !ref.hidden && !ref.hasAttribute("data-audio");
    box.querySelectorAll("button.speak").forEach(function (b) {
      b.hidden = !(b.hasAttribute("data-audio") || voice);
    });
  }

  function sayNow(box) {
    var b = box.querySelector("[data-say-now] button.speak:not([hidden])");
    if (b) b.click(); // kiosk.js plays it
  }

  // The kiosk's ticket goes back to the start a minute after it was
  // called or ended, and after half an hour in any case.
  var leaving = null, leaveAt = Infinity;
  function leaveSoon(ms) {
    if (Date.now() + ms >= leaveAt) return;
    leaveAt = Date.now() + ms;
    if (leaving) clearTimeout(leaving);
    leaving = setTimeout(function () {
      try { sessionStorage.clear(); localStorage.clear(); } catch (err) { /* storage off */ }
      window.location.replace("/kiosk/reset");
    }, ms);
  }

  document.querySelectorAll("[data-live]").forEach(function (box) {
    var kiosk = box.hasAttribute("data-kiosk");
    var status = function () {
      var s = box.querySelector("[data-status]");
      return s ? s.getAttribute("data-status") : "";
    };
    var pending = null;
    function apply(html) {
      var before = status();
      box.innerHTML = html;
      if (!kiosk) return;
      fitSpeakers(box);
      var now = status();
      if (now !== before) sayNow(box);
      if (now !== "waiting") leaveSoon(60000);
    }
    // Someone choosing in a list of the live part keeps it until done.
    box.addEventListener("focusout", function () {
      setTimeout(function () {
        if (pending !== null && !box.contains(document.activeElement)) { var h = pending; pending = null; apply(h); }
      }, 0);
    });
    var es = new EventSource(box.getAttribute("data-live"));
    es.addEventListener("update", function (e) {
      var a = document.activeElement;
      if (a && box.contains(a) && (a.tagName === "SELECT" || a.tagName === "INPUT")) { pending = e.data; return; }
      apply(e.data);
    });
    document.querySelectorAll("[data-live-note]").forEach(function (n) { n.hidden = false; });
    if (kiosk) {
      if (status() !== "waiting") leaveSoon(60000);
      leaveSoon(30 * 60000);
    }
  });
})();
