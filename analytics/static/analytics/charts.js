// Personalify charts: a tiny, dependency-free SVG line chart (served by the app, no CDN).
// Each chart draws at the container's real width, so text stays crisp from 360 px to 1440 px, and
// carries an aria-label with every value; the page keeps a text list of the same data anyway.

const NS = "http://www.w3.org/2000/svg";
export const PALETTE = [
  "#1ed760", "#7aa2ff", "#ffcc66", "#ff8a80", "#c792ea",
  "#5fd3e6", "#f78c6c", "#b8e986", "#e6a1c5", "#a9b0bc",
];

function node(name, attrs = {}, text) {
  const element = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export function formatValue(value, format) {
  return format === "percent" ? `${Math.round(value * 100)}%` : String(value);
}

// Cut a label to roughly fit `width` pixels at the chart's font size (no text metrics in SVG
// before layout; an average glyph width is close enough for a label).
function fit(label, width, fontSize) {
  const max = Math.max(3, Math.floor(width / (fontSize * 0.56)));
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

// A line per series over shared points (the emotion arc of a song): x is the point's index, or
// its time in seconds when `timed`; y is 0..1. Each point carries a <title> with its values.
export function lineChart(container, points, series, { title = "", timed = false } = {}) {
  const width = Math.max(Math.floor(container.clientWidth), 260);
  const height = 220;
  const pad = { left: 36, right: 12, top: 12, bottom: 34 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const xs = points.map((p, i) => (timed && p.seconds != null ? p.seconds : i));
  const minX = Math.min(...xs);
  const spanX = Math.max(Math.max(...xs) - minX, 1e-9);
  const x = (v) => pad.left + (points.length === 1 ? innerW / 2 : ((v - minX) / spanX) * innerW);
  const y = (v) => pad.top + innerH - v * innerH;
  const describeArc = points.map((p) => `${p.label}: ${p.top}`).join("; ");
  const svg = node("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": `${title}: ${describeArc}`, class: "chart-svg",
  });
  svg.append(node("title", {}, title));
  for (const tick of [0, 0.5, 1]) {
    svg.append(node("line", { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick), class: "chart-grid", stroke: "#2a2f3a" }));
    svg.append(node("text", { x: pad.left - 6, y: y(tick), "text-anchor": "end", "dominant-baseline": "central", class: "chart-value", "font-size": 11 }, `${Math.round(tick * 100)}%`));
  }
  const every = Math.max(1, Math.ceil(points.length / Math.max(2, Math.floor(innerW / 70))));
  points.forEach((p, i) => {
    if (i % every) return;
    svg.append(node("text", { x: x(xs[i]), y: height - 10, "text-anchor": "middle", class: "chart-label", "font-size": 11 }, fit(p.label.replace(/^\[|\]$/g, ""), 70, 11)));
  });
  series.forEach((name, s) => {
    const colour = PALETTE[s % PALETTE.length];
    const path = points.map((p, i) => `${i ? "L" : "M"}${x(xs[i]).toFixed(1)},${y(p.coarse[name] || 0).toFixed(1)}`).join(" ");
    svg.append(node("path", { d: path, fill: "none", stroke: colour, "stroke-width": 2.5, "stroke-linejoin": "round", class: `arc-line arc-${name}` }));
    points.forEach((p, i) => {
      const dot = node("circle", { cx: x(xs[i]), cy: y(p.coarse[name] || 0), r: 3.5, fill: colour, class: "arc-point" });
      dot.append(node("title", {}, `${p.label} — ${name} ${formatValue(p.coarse[name] || 0, "percent")}`));
      svg.append(dot);
    });
  });
  const legend = document.createElement("ul");
  legend.className = "arc-legend";
  series.forEach((name, s) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = PALETTE[s % PALETTE.length];
    swatch.setAttribute("aria-hidden", "true");
    item.append(swatch, document.createTextNode(name));
    legend.append(item);
  });
  container.replaceChildren(svg, legend);
  return svg;
}
