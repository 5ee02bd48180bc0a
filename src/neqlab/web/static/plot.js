// Drawing for the live page: the gas on a canvas, and small line plots with axes, tick
// labels and axis titles (linear, or logarithmic in y). No physics here: the server sends
// every number; these functions only draw them.

const FONT = "11px system-ui, sans-serif";
const INK = "#263238", MUTE = "#607d8b", GRID = "#eceff1", RED = "#c62828";

// Particles coloured by the half of the gas they started in, or by speed (16 shades).
export function drawGas(canvas, rec, box, side, bySpeed) {
  const g = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  g.fillStyle = "#fff"; g.fillRect(0, 0, w, h);
  const mid = Math.floor(w / 2) + 0.5;  // on a pixel centre: no anti-aliasing, the same pixels every time
  g.strokeStyle = "#cfd8dc"; g.lineWidth = 1; g.setLineDash([4, 4]); g.beginPath();
  g.moveTo(mid, 0); g.lineTo(mid, h); g.stroke(); g.setLineDash([]);
  if (!rec) return;
  const r = 0.5 * w / box[0];  // particle radius: sigma / 2 in pixels
  const groups = new Map();
  for (let i = 0; i < rec.n; i++) {
    const key = bySpeed ? (rec.speed[i] >> 4) : (side && side[i] ? 1 : 0);
    let list = groups.get(key);
    if (!list) { list = []; groups.set(key, list); }
    list.push(i);
  }
  for (const [key, list] of groups) {
    if (bySpeed) { const v = key * 17; g.fillStyle = `rgb(${v},${Math.round(70 + v / 3)},${255 - v})`; }
    else g.fillStyle = key ? "#ef6c00" : "#1565c0";
    if (r < 1.5) {  // small: squares of the particle's size, at least 1.5 px
      const s = Math.max(1.5, 2 * r);
      for (const i of list) {
        g.fillRect(rec.xy[2 * i] / 65535 * w - s / 2, (1 - rec.xy[2 * i + 1] / 65535) * h - s / 2, s, s);
      }
    } else {
      g.beginPath();
      for (const i of list) {
        const x = rec.xy[2 * i] / 65535 * w, y = (1 - rec.xy[2 * i + 1] / 65535) * h;
        g.moveTo(x + r, y); g.arc(x, y, r, 0, 2 * Math.PI);
      }
      g.fill();
    }
  }
}

// About n round tick values covering [lo, hi].
export function niceTicks(lo, hi, n = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push(Math.abs(v) < 1e-12 * step ? 0 : v);
  return out;
}

function tickText(v, step) {
  const digits = Math.max(0, Math.min(4, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(digits);
}

function frame(g, w, h, m, xlabel, ylabel) {
  g.fillStyle = "#fff"; g.fillRect(0, 0, w, h);
  g.font = FONT; g.fillStyle = INK;
  g.textAlign = "center"; g.textBaseline = "alphabetic";
  g.fillText(xlabel, m.l + (w - m.l - m.r) / 2, h - 4);
  g.save(); g.translate(12, m.t + (h - m.t - m.b) / 2); g.rotate(-Math.PI / 2);
  g.fillText(ylabel, 0, 0); g.restore();
}

// series: [{x: [], y: [], err: [] (optional), colour}]; hlines: [{y, label}]; vlines: [{x, label}]
export function linePlot(canvas, {series, xlabel, ylabel, hlines = [], vlines = [], xmax = null}) {
  const g = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  const m = {l: 58, r: 10, t: 10, b: 36};
  frame(g, w, h, m, xlabel, ylabel);
  let ylo = Infinity, yhi = -Infinity, xhi = xmax || 0;
  for (const s of series) {
    s.y.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      const e = s.err && Number.isFinite(s.err[i]) ? s.err[i] : 0;
      ylo = Math.min(ylo, v - e); yhi = Math.max(yhi, v + e); xhi = Math.max(xhi, s.x[i]);
    });
  }
  for (const l of hlines) if (Number.isFinite(l.y)) { ylo = Math.min(ylo, l.y); yhi = Math.max(yhi, l.y); }
  if (!Number.isFinite(ylo)) return;
  if (yhi - ylo < 1e-6) { yhi += 0.05; ylo -= 0.05; }
  const pad = 0.06 * (yhi - ylo); ylo -= pad; yhi += pad;
  xhi = Math.max(xhi, 1);  // at least one time unit, so the ticks stay readable at t = 0
  const X = (x) => m.l + (w - m.l - m.r) * x / xhi, Y = (y) => h - m.b - (h - m.t - m.b) * (y - ylo) / (yhi - ylo);
  axes(g, w, h, m, niceTicks(0, xhi), niceTicks(ylo, yhi), X, Y);
  for (const l of vlines) {
    g.strokeStyle = RED; g.beginPath(); g.moveTo(X(l.x), m.t); g.lineTo(X(l.x), h - m.b); g.stroke();
    g.fillStyle = RED; g.textAlign = "left"; g.fillText(l.label, Math.min(X(l.x) + 3, w - m.r - 40), m.t + 10);
  }
  for (const l of hlines) {
    if (!Number.isFinite(l.y)) continue;
    g.strokeStyle = MUTE; g.setLineDash([5, 4]); g.beginPath(); g.moveTo(m.l, Y(l.y)); g.lineTo(w - m.r, Y(l.y)); g.stroke();
    g.setLineDash([]); g.fillStyle = MUTE; g.textAlign = "right"; g.fillText(l.label, w - m.r - 2, Y(l.y) - 3);
  }
  for (const s of series) {
    const idx = s.y.map((v, i) => i).filter((i) => Number.isFinite(s.y[i]));
    if (s.err) {
      g.fillStyle = "rgba(21,101,192,0.15)"; g.beginPath();
      idx.forEach((i, k) => (k ? g.lineTo : g.moveTo).call(g, X(s.x[i]), Y(s.y[i] + s.err[i])));
      idx.slice().reverse().forEach((i) => g.lineTo(X(s.x[i]), Y(s.y[i] - s.err[i])));
      g.fill();
    }
    g.strokeStyle = s.colour || INK; g.lineWidth = 1.5; g.beginPath();
    idx.forEach((i, k) => (k ? g.lineTo : g.moveTo).call(g, X(s.x[i]), Y(s.y[i])));
    g.stroke(); g.lineWidth = 1;
  }
}

function axes(g, w, h, m, xt, yt, X, Y, ylabelOf = null) {
  g.strokeStyle = GRID; g.fillStyle = INK; g.font = FONT;
  const xs = xt.length > 1 ? xt[1] - xt[0] : 1, ys = yt.length > 1 ? yt[1] - yt[0] : 1;
  g.textAlign = "center"; g.textBaseline = "top";
  for (const v of xt) {
    g.beginPath(); g.moveTo(X(v), m.t); g.lineTo(X(v), h - m.b); g.stroke();
    g.fillText(tickText(v, xs), X(v), h - m.b + 3);
  }
  g.textAlign = "right"; g.textBaseline = "middle";
  for (const v of yt) {
    g.beginPath(); g.moveTo(m.l, Y(v)); g.lineTo(w - m.r, Y(v)); g.stroke();
    g.fillText(ylabelOf ? ylabelOf(v) : tickText(v, ys), m.l - 4, Y(v));
  }
  g.strokeStyle = MUTE; g.strokeRect(m.l, m.t, w - m.l - m.r, h - m.t - m.b);
  g.textBaseline = "alphabetic";
}

// points: [{x, y}] (y = 0 drawn on the floor and labelled zeroLabel); growth: {eps, lambda} draws
// eps * exp(lambda x); threshold: a horizontal dotted line.
export function logPlot(canvas, {points, xlabel, ylabel, xmax, growth = null, threshold = null, thresholdLabel = "",
  growthLabel = "", zeroLabel = ""}) {
  const g = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  const m = {l: 58, r: 10, t: 10, b: 36};
  frame(g, w, h, m, xlabel, ylabel);
  const pos = points.filter((p) => p.y > 0 && Number.isFinite(p.y));
  let lo = -17, hi = 2;
  if (pos.length) {
    lo = Math.min(lo, Math.floor(Math.log10(Math.min(...pos.map((p) => p.y)))));
    hi = Math.max(hi, Math.ceil(Math.log10(Math.max(...pos.map((p) => p.y)))));
  }
  if (growth && growth.eps > 0) lo = Math.min(lo, Math.floor(Math.log10(growth.eps)));
  const xhi = Math.max(xmax || 0, ...points.map((p) => p.x), 1e-6);
  const X = (x) => m.l + (w - m.l - m.r) * x / xhi, Y = (ly) => h - m.b - (h - m.t - m.b) * (ly - lo) / (hi - lo);
  const every = Math.max(1, Math.ceil((hi - lo) / 6));
  const yt = []; for (let d = Math.ceil(lo / every) * every; d <= hi; d += every) yt.push(d);
  axes(g, w, h, m, niceTicks(0, xhi), yt, X, Y, (d) => d === 0 ? "1" : `1e${d}`);
  if (threshold) {
    g.strokeStyle = MUTE; g.setLineDash([2, 3]); g.beginPath();
    g.moveTo(m.l, Y(Math.log10(threshold))); g.lineTo(w - m.r, Y(Math.log10(threshold))); g.stroke(); g.setLineDash([]);
    g.fillStyle = MUTE; g.textAlign = "right"; g.fillText(thresholdLabel, w - m.r - 2, Y(Math.log10(threshold)) - 3);
  }
  g.save(); g.beginPath(); g.rect(m.l, m.t, w - m.l - m.r, h - m.t - m.b); g.clip();
  if (growth && growth.eps > 0 && growth.lambda > 0) {
    g.strokeStyle = "#8e24aa"; g.setLineDash([6, 4]); g.beginPath();
    for (let k = 0; k <= 60; k++) {
      const x = xhi * k / 60, ly = Math.log10(growth.eps) + growth.lambda * x / Math.LN10;
      (k ? g.lineTo : g.moveTo).call(g, X(x), Y(ly));
    }
    g.stroke(); g.setLineDash([]);
    const xl = Math.min(xhi, (Math.log10(threshold || 1) - Math.log10(growth.eps)) * Math.LN10 / growth.lambda);
    g.fillStyle = "#8e24aa"; g.textAlign = "left";
    g.fillText(growthLabel, Math.min(X(Math.max(xl, 0)) + 4, w - m.r - 70), m.t + 12);
  }
  g.restore();
  g.fillStyle = INK; g.strokeStyle = INK;
  const zeros = points.filter((p) => p.y === 0);
  for (const p of pos) { g.beginPath(); g.arc(X(p.x), Y(Math.log10(p.y)), 2.2, 0, 2 * Math.PI); g.fill(); }
  if (pos.length > 1) {
    g.beginPath(); pos.forEach((p, k) => (k ? g.lineTo : g.moveTo).call(g, X(p.x), Y(Math.log10(p.y)))); g.stroke();
  }
  if (zeros.length) {
    g.fillStyle = "#2e7d32";
    for (const p of zeros) g.fillRect(X(p.x) - 2, h - m.b - 5, 4, 4);
    g.textAlign = "left"; g.fillText(zeroLabel, m.l + 4, h - m.b - 8);
  }
}
