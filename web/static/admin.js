// Admin panel: small conveniences only; every page works without it.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
})();

// Voice studio: a record button per prompt (made here: without a
// microphone the row keeps its file field, for a recording made
// elsewhere); stopping sends the recording.
(function () {
  "use strict";
  if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  document.querySelectorAll("form[data-rec]").forEach(function (f) {
    var upload = f.querySelector("[data-upload]"), input = f.querySelector("input[type=file]");
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "small";
    btn.setAttribute("aria-pressed", "false");
    btn.textContent = f.getAttribute("data-label-start");
    f.appendChild(btn);
    upload.hidden = true;
    var rec = null, timer = null;
    btn.addEventListener("click", function () {
      if (rec && rec.state === "recording") { rec.stop(); return; }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        rec = new MediaRecorder(stream);
        rec.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        rec.onstop = function () {
          clearTimeout(timer);
          stream.getTracks().forEach(function (t) { t.stop(); });
          var type = (rec.mimeType || "audio/webm").split(";")[0];
          var dt = new DataTransfer();
          dt.items.add(new File([new Blob(chunks, { type: type })], "prompt", { type: type }));
          input.files = dt.files;
          f.submit();
        };
        rec.start();
        btn.setAttribute("aria-pressed", "true");
        btn.textContent = f.getAttribute("data-label-stop");
        timer = setTimeout(function () { rec.stop(); }, 1000 * parseInt(f.getAttribute("data-seconds") || "30", 10));
      }).catch(function () { btn.remove(); upload.hidden = false; });
    });
  });
})();

// A link to hand over (a password reset link): a copy button, shown only
// when this script runs; the field itself can always be selected.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    var field = document.getElementById(b.getAttribute("data-copy"));
    if (!field) return;
    var label = b.textContent;
    b.hidden = false;
    b.addEventListener("click", function () {
      var done = function () {
        b.textContent = b.getAttribute("data-copied");
        setTimeout(function () { b.textContent = label; }, 2000);
      };
      var old = function () { field.focus(); field.select(); if (document.execCommand("copy")) done(); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, old);
      } else {
        old(); // plain http on the local network: no clipboard API
      }
    });
  });
})();
