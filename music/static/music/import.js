// Live progress of the imports on the page: polls each running import and fills in its counts;
// reloads the page once an import has finished, so its final summary and problems show.
(function () {
  document.querySelectorAll(".import-job").forEach(function (job) {
    if (job.dataset.state !== "queued" && job.dataset.state !== "running") return;
    var bar = job.querySelector(".import-bar");
    var percent = job.querySelector(".import-percent");
    var state = job.querySelector(".import-state");
    function poll() {
      fetch(job.dataset.progressUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          state.textContent = p.label + (p.step ? " · " + p.step : "");
          Object.keys(p.counts).forEach(function (name) {
            var cell = job.querySelector('[data-count="' + name + '"]');
            if (cell) cell.textContent = p.counts[name].toLocaleString();
          });
          if (bar && p.percent !== null) { bar.value = p.percent; percent.textContent = p.percent + "%"; }
          if (p.state === "queued" || p.state === "running") setTimeout(poll, 1000);
          else window.location.reload();
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    poll();
  });
})();
