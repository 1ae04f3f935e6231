// Polls the mood analysis progress while it runs and reloads the page when it is done.
(function () {
  var box = document.querySelector(".mood-progress");
  if (!box) return;
  var text = box.querySelector(".mood-progress-text");
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (p.state === "running" || p.state === "queued") {
          text.textContent = p.state === "queued"
            ? "Queued — starting in a moment…"
            : "Analysing… " + p.done + " of " + p.total + " tracks.";
          setTimeout(poll, 1500);
        } else if (p.state === "done" && box.dataset.state !== "done") {
          window.location.reload();
        } else if (p.state === "unavailable") {
          text.textContent = "Progress is unavailable right now (the cache is down); reload later.";
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (box.dataset.state === "running" || box.dataset.state === "queued") poll();
})();
