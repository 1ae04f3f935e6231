// Dashboard progressive enhancement: runs "Sync now" with fetch, showing progress until the
// sync ends. Without JavaScript the page still shows every section, and the Sync now form posts
// normally. (The genre and mood bars are plain HTML and CSS: readable at any width.)

const ACTIVE = new Set(["queued", "running"]);
const panel = document.getElementById("sync");

function showSync(progress) {
  const box = document.getElementById("sync-progress");
  const errorBox = document.getElementById("sync-error");
  const button = document.querySelector("#sync-form button");
  const active = ACTIVE.has(progress.state);
  box.hidden = !active;
  if (button) button.disabled = active;
  if (active) {
    const bar = box.querySelector("progress");
    if (progress.total) bar.value = Math.round((100 * progress.done) / progress.total);
    else bar.removeAttribute("value");
    box.querySelector(".sync-step").textContent = progress.state === "queued"
      ? "Queued — starting in a moment…"
      : `Syncing${progress.step ? `: ${progress.step}` : ""}…`;
  }
  if (progress.state === "failed") {
    errorBox.hidden = false;
    errorBox.querySelector(".sync-error-text").textContent =
      `The last sync failed${progress.error ? `: ${progress.error}` : "."}`;
  } else if (active) {
    errorBox.hidden = true;
  }
}

async function status() {
  const response = await fetch(panel.dataset.statusUrl, {
    headers: { Accept: "application/json" }, credentials: "same-origin",
  });
  if (!response.ok) throw new Error(`status ${response.status}`);
  return response.json();
}

// The genre card's MusicBrainz lookup line, kept current while the page polls.
function showGenres(progress) {
  const text = document.querySelector(".genres-lookup-text");
  if (!text || !progress || progress.state !== "running") return;
  text.textContent = `Looking up genres on MusicBrainz: ${progress.done} of ${progress.total} artist${progress.total === 1 ? "" : "s"}…`;
  const bar = document.querySelector(".genres-lookup progress");
  if (bar && progress.total) bar.value = Math.round((100 * progress.done) / progress.total);
}

// Poll until neither the sync nor the mood analysis is running, then reload once to show the
// new data (only when something actually finished, so a page never reloads in a loop).
async function watch({ started = false } = {}) {
  let sawWork = started;
  for (let polls = 0; polls < 600; polls += 1) {
    let current;
    try {
      current = await status();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      continue;
    }
    showSync(current.sync);
    showGenres(current.genres);
    const busy = ACTIVE.has(current.sync.state) || ACTIVE.has(current.mood.state)
      || ACTIVE.has((current.lyrics || {}).state) || ACTIVE.has((current.genres || {}).state);
    if (busy) sawWork = true;
    if (current.sync.state === "failed" && !ACTIVE.has(current.mood.state)) return;
    // Right after "Sync now" the task may not have marked itself queued yet: give it a moment.
    if (!busy && (polls >= 2 || current.sync.state === "done")) {
      if (sawWork) window.location.reload();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, busy ? 1000 : 500));
  }
}

function enhanceSync() {
  if (!panel) return;
  const form = document.getElementById("sync-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showSync({ state: "queued", step: "", done: 0, total: 0 });
      const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      try {
        const response = await fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { "X-CSRFToken": token, Accept: "application/json", "X-Requested-With": "fetch" },
        });
        if (!response.ok && response.status !== 409) {
          // The server says why in words (e.g. 503: the background worker is unavailable).
          const body = await response.json().catch(() => null);
          if (body && body.message) {
            showSync({ state: "failed", error: body.message });
            return;
          }
          throw new Error(`HTTP ${response.status}`);
        }
      } catch (error) {
        showSync({ state: "failed", error: `the request did not go through (${error.message}). Try again.` });
        return;
      }
      watch({ started: true });
    });
  }
  if (ACTIVE.has(panel.dataset.syncState) || ACTIVE.has(panel.dataset.moodState)
    || ACTIVE.has(panel.dataset.lyricsState)
    || ACTIVE.has((document.getElementById("genres") || { dataset: {} }).dataset.genresState)) watch();
}

enhanceSync();
