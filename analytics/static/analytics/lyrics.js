// The emotion arc of a song: one point per section (or per group of timed lines), a line for
// each of the emotions that lead somewhere in the song. The page lists the same data as text.
import { lineChart } from "./charts.js";

const MAX_SERIES = 4;

function leaders(points) {
  // The emotions that top at least one point first, then the strongest on average.
  const totals = {};
  for (const p of points) for (const [k, v] of Object.entries(p.coarse)) totals[k] = (totals[k] || 0) + v;
  const tops = [...new Set(points.map((p) => p.top))];
  const rest = Object.keys(totals).sort((a, b) => totals[b] - totals[a]).filter((k) => !tops.includes(k));
  return [...tops.sort((a, b) => totals[b] - totals[a]), ...rest].slice(0, MAX_SERIES);
}

function draw() {
  const container = document.getElementById("arc-chart");
  const source = document.getElementById("arc-data");
  if (!container || !source) return;
  const points = JSON.parse(source.textContent);
  if (!points.length) return;
  lineChart(container, points, leaders(points), {
    title: "Emotion arc of the song", timed: container.dataset.timed === "1",
  });
  container.classList.add("chart-ready");
}

let lastWidth = window.innerWidth;
window.addEventListener("resize", () => {
  if (window.innerWidth === lastWidth) return;
  lastWidth = window.innerWidth;
  requestAnimationFrame(draw);
});
draw();
