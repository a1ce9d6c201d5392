// The meetings pages: times that seek the player, the segment being played marked, and
// recording in the browser (the recording goes into the upload form's file field).
(function () {
  "use strict";

  function setUpPlayer() {
    var player = document.getElementById("player");
    if (!player) { return; }
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a.seek");
      if (!link) { return; }
      event.preventDefault();
      player.currentTime = parseFloat(link.dataset.start || "0");
      player.play();
    });
    var segments = Array.prototype.slice.call(document.querySelectorAll("#segments > li"));
    player.addEventListener("timeupdate", function () {
      var now = player.currentTime;
      segments.forEach(function (li) {
        var on = now >= parseFloat(li.dataset.start) && now < parseFloat(li.dataset.end);
        if (on && !li.classList.contains("playing")) {
          li.scrollIntoView({ block: "nearest" });
        }
        li.classList.toggle("playing", on);
      });
    });
  }

  function setUpRecorder() {
    var box = document.getElementById("recorder");
    var input = document.getElementById("m-file");
    if (!box || !input || !window.MediaRecorder || !navigator.mediaDevices) { return; }
    box.hidden = false;
    var start = document.getElementById("record-start");
    var stop = document.getElementById("record-stop");
    var status = document.getElementById("record-status");
    var recorder = null;
    var chunks = [];
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        chunks = [];
        recorder = new MediaRecorder(stream);
        recorder.ondataavailable = function (e) { chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          var file = new File(chunks, "recording.webm", { type: "audio/webm" });
          var files = new DataTransfer();
          files.items.add(file);
          input.files = files.files;
          status.textContent = box.dataset.done || "✓";
        };
        recorder.start(1000);
        start.disabled = true;
        stop.disabled = false;
        status.textContent = "●";
      }).catch(function (error) { status.textContent = error.message; });
    });
    stop.addEventListener("click", function () {
      if (recorder) { recorder.stop(); }
      start.disabled = false;
      stop.disabled = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpPlayer();
    setUpRecorder();
  });
})();
