// The paste page: a busy state while the text is analysed (the first analysis loads the model and
// takes a few seconds), no second submit meanwhile, and the result brought into view and focused
// for screen readers once the page with it has loaded. Without JavaScript the form posts as is.
(function () {
  var form = document.getElementById("emotion-form");
  if (!form) return;
  var button = document.getElementById("emotion-submit");
  var busy = document.getElementById("emotion-busy");

  function idle() {
    form.removeAttribute("aria-busy");
    delete form.dataset.busy;
    button.disabled = false;
    button.textContent = "Analyse";
    busy.textContent = "";
  }

  form.addEventListener("submit", function (event) {
    if (form.dataset.busy) {
      event.preventDefault();
      return;
    }
    form.dataset.busy = "1";
    form.setAttribute("aria-busy", "true");
    button.textContent = "Analysing…";
    busy.textContent = "Analysing the text — the first one can take a few seconds.";
    // The submission is already under way (and the button has no name to send): disabling it
    // now stops a second press, not this one.
    button.disabled = true;
  });
  // Back from the result page (the browser's page cache keeps the busy state): ready again.
  window.addEventListener("pageshow", function (event) { if (event.persisted) idle(); });

  var result = document.getElementById("emotion-result");
  if (result) {
    result.scrollIntoView({ block: "start" });
    result.focus({ preventScroll: true });
  }
})();
