// Kiosk behaviour: catch the USB scanner wherever focus is, reset after
// idle time, read labels aloud, and scan with the camera as a fallback.
(function () {
  "use strict";
  var body = document.body;
  var form = document.getElementById("scan-form");

  // Keyboard-wedge scanner. A scanner sends US key codes whatever the
  // desk's keyboard layout (AZERTY would turn digits into &é"'…), so the
  // token is read from event.code, not event.key.
  var buf = "", last = 0;
  function charFor(e) {
    var c = e.code || "";
    if (/^Key[A-Z]$/.test(c)) return c.charAt(3);
    if (/^Digit[0-9]$/.test(c)) return c.charAt(5);
    if (/^Numpad[0-9]$/.test(c)) return c.charAt(6);
    if (e.key && e.key.length === 1 && /[0-9A-Za-z]/.test(e.key)) return e.key.toUpperCase();
    return "";
  }
  document.addEventListener("keydown", function (e) {
    if (!form || e.ctrlKey || e.altKey || e.metaKey) return;
    // Typing a few words in a text field is typing, not a scan.
    var t = e.target;
    if (t && (t.tagName === "TEXTAREA" || t.tagName === "INPUT" || t.isContentEditable)) return;
    var now = Date.now();
    if (now - last > 5000) buf = "";
    last = now;
    if (e.key === "Enter" || e.code === "Enter" || e.code === "NumpadEnter") {
      if (buf.length > 0) {
        e.preventDefault();
        form.elements.token.value = buf.slice(0, 200);
        buf = "";
        form.submit();
      }
      return;
    }
    var ch = charFor(e);
    if (ch) { buf += ch; e.preventDefault(); }
  }, true);

  // Sound. A speaker plays, first found: the recorded or server-made
  // sounds in data-audio, one after the other; else the browser's own
  // voice for the page's language; else it is hidden, rather than silent.
  var lang = document.documentElement.lang;
  var playing = null;
  function stopSound() {
    if (playing) { playing.pause(); playing = null; }
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  }
  function browserVoice() {
    if (!("speechSynthesis" in window)) return null;
    var vs = window.speechSynthesis.getVoices();
    for (var i = 0; i < vs.length; i++) {
      if (vs[i].lang && vs[i].lang.toLowerCase().split(/[-_]/)[0] === lang) return vs[i];
    }
    return null;
  }
  function playList(urls, i) {
    if (i >= urls.length) { playing = null; return Promise.resolve(); }
    var a = new Audio(urls[i]);
    playing = a;
    a.onended = function () { if (playing === a) playList(urls, i + 1); };
    return a.play();
  }
  function speak(b) {
    stopSound();
    var audio = b.getAttribute("data-audio");
    if (audio) return playList(audio.split(" "), 0);
    var v = browserVoice();
    if (!v) return Promise.resolve();
    var u = new SpeechSynthesisUtterance(b.getAttribute("data-speak"));
    u.lang = lang; u.voice = v;
    window.speechSynthesis.speak(u);
    return Promise.resolve();
  }
  function showSpeakers() {
    var voice = !!browserVoice();
    document.querySelectorAll("button.speak").forEach(function (b) {
      b.hidden = !(b.hasAttribute("data-audio") || voice);
    });
  }
  showSpeakers();
  if ("speechSynthesis" in window) window.speechSynthesis.addEventListener("voiceschanged", showSpeakers);
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button.speak");
    if (b) { e.preventDefault(); speak(b).catch(function () { /* no sound allowed yet */ }); }
  });

  // Each screen says its question when it opens, where the kiosk allows
  // sound without a tap (Chromium's --autoplay-policy=no-user-gesture-required).
  function sayQuestion() {
    var q = document.querySelector("main .say-row button.speak:not([hidden])");
    if (q) speak(q).catch(function () { /* autoplay refused */ });
  }
  if (body.getAttribute("data-autoplay") === "1") setTimeout(sayQuestion, 250);

  // Leave without keeping a trace: replace() keeps the page out of history.
  function reset() {
    try { sessionStorage.clear(); localStorage.clear(); } catch (err) { /* storage off */ }
    window.location.replace("/kiosk/reset");
  }

  // Idle: after data-idle-seconds without a touch, ask "are you still
  // there?" for 20 seconds (WCAG 2.2.1 asks for at least 20), aloud, with
  // the focus on the big "I'm still here" button; then reset.
  var idleSeconds = parseInt(body.getAttribute("data-idle-seconds") || "60", 10);
  var warnSeconds = 20;
  var overlay = document.getElementById("idle-overlay");
  var counter = document.getElementById("idle-seconds");
  var stay = document.getElementById("idle-stay");
  var idleTimer = null, tick = null;
  function stopCountdown() {
    if (tick) { clearInterval(tick); tick = null; }
    if (overlay && !overlay.hidden) { overlay.hidden = true; stopSound(); }
  }
  function sayStillThere() {
    var s = overlay.querySelector("button.speak:not([hidden])");
    if (s) speak(s).catch(function () { /* no sound allowed */ });
  }
  function startCountdown() {
    var left = warnSeconds;
    counter.textContent = String(left);
    overlay.hidden = false;
    if (stay) stay.focus();
    sayStillThere();
    tick = setInterval(function () {
      left -= 1;
      counter.textContent = String(Math.max(left, 0));
      if (left === 10) sayStillThere();
      if (left <= 0) { clearInterval(tick); reset(); }
    }, 1000);
  }
  // The server forgets a visitor after the same idle time and countdown,
  // counted from their last request: a visitor who only taps speakers
  // or says "I'm still here" tells it they are still there.
  var lastAlive = Date.now();
  function stillAlive(now) {
    if (body.getAttribute("data-idle") !== "1" || now - lastAlive < 15000) return;
    lastAlive = now;
    fetch("/kiosk/alive", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (r.status === 410) reset(); })
      .catch(function () { /* the server is away: the page's own reset still comes */ });
  }
  function armIdle(e) {
    // A tap on the overlay's own speaker is not "I'm still here".
    if (e && overlay && !overlay.hidden && e.target.closest && e.target.closest("#idle-overlay button.speak")) return;
    stillAlive(Date.now());
    stopCountdown();
    if (idleTimer) clearTimeout(idleTimer);
    if (body.getAttribute("data-idle") !== "1") return;
    idleTimer = setTimeout(startCountdown, Math.max(idleSeconds, 1) * 1000);
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (ev) {
    document.addEventListener(ev, armIdle, { passive: true, capture: true });
  });
  if (stay) stay.addEventListener("click", function () { lastAlive = 0; armIdle(); });
  armIdle();

  // The idle screen belongs to nobody: Back from it stays on it, so the
  // next person cannot walk back into the previous visitor's screens.
  if (body.getAttribute("data-page") === "idle" && window.history && history.pushState) {
    history.pushState(null, "", location.href);
    window.addEventListener("popstate", function () { history.pushState(null, "", location.href); });
  }

  // A message screen goes back to the start by itself.
  var ret = parseInt(body.getAttribute("data-return") || "0", 10);
  if (ret > 0) setTimeout(reset, ret * 1000);

  // The idle screen reloads now and then, so its form token stays fresh.
  if (body.getAttribute("data-page") === "idle") {
    setTimeout(function () { window.location.replace("/kiosk"); }, 30 * 60 * 1000);
  }

  // A voice note, recorded in the browser and sent with the report.
  var voice = document.querySelector("[data-voice]");
  if (voice && window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    voice.hidden = false;
    var rec = null, chunks = [], stopTimer = null;
    var button = voice.querySelector("[data-record]");
    var input = voice.querySelector("input[type=file]");
    var player = voice.querySelector("audio");
    var labelStart = voice.querySelector("[data-label-start]"), labelStop = voice.querySelector("[data-label-stop]");
    function stop() { if (rec && rec.state === "recording") rec.stop(); }
    button.addEventListener("click", function () {
      if (rec && rec.state === "recording") { stop(); return; }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        chunks = [];
        rec = new MediaRecorder(stream);
        rec.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        rec.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          clearTimeout(stopTimer);
          var type = (rec.mimeType || "audio/webm").split(";")[0];
          var blob = new Blob(chunks, { type: type });
          var dt = new DataTransfer();
          dt.items.add(new File([blob], "voice.webm", { type: type }));
          input.files = dt.files;
          player.src = URL.createObjectURL(blob);
          player.hidden = false;
          button.setAttribute("aria-pressed", "false");
          labelStart.hidden = false; labelStop.hidden = true;
        };
        rec.start();
        button.setAttribute("aria-pressed", "true");
        labelStart.hidden = true; labelStop.hidden = false;
        stopTimer = setTimeout(stop, 60000); // one minute at most: the server takes no longer note
      }).catch(function () { voice.hidden = true; });
    });
  }

  // Camera fallback: Linux Chromium has no BarcodeDetector, so frames go
  // to the server, which decodes them (gozxing) and answers like a scan.
  if (body.getAttribute("data-page") === "camera") {
    var video = document.getElementById("camera-video");
    var status = document.getElementById("camera-status");
    var canvas = document.createElement("canvas");
    // One frame at a time, and none once a code is found: more frames
    // would keep the busy server decoding while the check-in waits, and a
    // second code would submit the form again, starting its navigation
    // over, again and again on a slow machine.
    var busy = false, found = false;
    var csrf = form.elements._csrf.value;
    function grab() {
      if (busy || found || !video.videoWidth) return;
      busy = true;
      var w = Math.min(video.videoWidth, 800), h = Math.round(video.videoHeight * w / video.videoWidth);
      canvas.width = w; canvas.height = h;
      canvas.getContext("2d").drawImage(video, 0, 0, w, h);
      canvas.toBlob(function (blob) {
        if (!blob) { busy = false; return; } // no picture yet: the next tick tries again
        var fd = new FormData();
        fd.append("_csrf", csrf);
        fd.append("frame", blob, "frame.jpg");
        fetch("/kiosk/scan-image", { method: "POST", body: fd, credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (j) {
            if (j.token && !found) { found = true; form.elements.token.value = j.token; form.submit(); return; }
            busy = false;
          })
          .catch(function () { busy = false; });
      }, "image/jpeg", 0.85);
    }
    if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: 1280 }, audio: false })
        .then(function (stream) { video.srcObject = stream; setInterval(grab, 400); })
        .catch(function () { status.textContent = status.getAttribute("data-nocamera"); });
    } else {
      status.textContent = status.getAttribute("data-nocamera");
    }
  }
})();
