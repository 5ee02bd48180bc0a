// The live page: language, tabs, the WebSocket protocol, controls and readouts.
// Physics runs on the server (neqlab.web.gas documents the binary records); this file
// keeps the history the plots need and shows the numbers it is sent.
import {drawGas, linePlot, logPlot} from "./plot.js";

const $ = (id) => document.getElementById(id);
const STATUSES = ["running", "reversed", "returned", "did not return"];
const STATUS_KEY = {"running": "running", "reversed": "reversed", "returned": "returned", "did not return": "did_not_return"};
const FIELDS = ["t", "film_t", "h", "s_pos", "f_left", "since", "lambda_t", "return_error", "return_error_s",
  "s_hydro", "s_hydro_err", "s_mu"];
const HEADER = 20 + 8 * FIELDS.length;
const MOVING = 1, REVERSED = 2, BACK = 4, ENTROPY_FRESH = 8, ERROR_FRESH = 16, ARMED = 32;
const RETURN_THRESHOLD = 0.1;  // sigma: "returned" below it (neqlab.web.film)

const url = new URLSearchParams(location.search);
const LANG = ["ja", "en"].includes(url.get("lang")) ? url.get("lang")
  : ((navigator.language || "en").toLowerCase().startsWith("ja") ? "ja" : "en");
let T = {};
const state = {lang: LANG, mode: null, info: null, gases: [], frames: 0, fps: 0, errors: [], connected: false, last: null,
  inits: 0};
window.neqlab = state;

function tr(key, fields = {}) {
  const s = T[key] === undefined ? key : T[key];
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in fields ? String(fields[k]) : m));
}

function applyTexts(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = tr(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = tr(el.dataset.i18nTitle);
}

// -- connection ------------------------------------------------------------------------
let ws = null;
function connect(mode) {
  if (ws) { ws.onclose = null; ws.close(); }
  state.mode = mode; state.info = null; state.gases = []; state.connected = false;
  document.body.dataset.mode = mode;
  $("panels").innerHTML = "";
  setStatusText(tr("connecting"));
  ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws?mode=" + mode);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => { state.connected = true; };
  ws.onmessage = (ev) => (typeof ev.data === "string" ? onJson(JSON.parse(ev.data)) : onFrame(ev.data));
  ws.onclose = () => { state.connected = false; setStatusText(tr("disconnected")); };
}
function setStatusText(text) { for (const el of document.querySelectorAll("[data-testid=status]")) el.textContent = text; }
function send(obj) { $("error").textContent = ""; if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj)); }

function onJson(msg) {
  if (msg.type === "error") {
    $("error").textContent = tr("error_prefix") + " " + msg.message; state.errors.push(msg.message); return;
  }
  if (msg.type === "lyapunov") {
    state.lyapunov = msg;
    for (const g of state.gases) g.lambda = msg.value;
    for (const el of document.querySelectorAll(".ro-lambda")) el.textContent = `${msg.value.toFixed(2)} ± ${msg.err.toFixed(2)}`;
    return;
  }
  if (msg.type === "init") onInit(msg);
}

function onInit(msg) {
  state.inits += 1; state.info = msg; state.eps = msg.config.eps; state.kick = msg.config.kick;
  fillControls(msg.config);
  $("panels").innerHTML = "";
  state.gases = msg.gases.map((gi) => {
    const el = $("panel-template").content.firstElementChild.cloneNode(true);
    el.dataset.panel = gi.panel === 0 ? "small" : "large";
    if (msg.mode === "single") el.dataset.panel = "single";
    applyTexts(el);
    $("panels").appendChild(el);
    const size = msg.mode === "pair" ? 320 : 560;
    const gas = el.querySelector("canvas.gas");
    gas.width = size; gas.height = Math.round(size * gi.box[1] / gi.box[0]);
    for (const c of el.querySelectorAll("canvas.plot")) { c.width = msg.mode === "pair" ? 300 : 420; c.height = msg.mode === "pair" ? 200 : 215; }
    el.querySelector(".ptitle").textContent = tr("ro.particles", {n: gi.n_particles, l: gi.box[0].toFixed(1)});
    return {info: gi, el, history: [], errors: [], last: null, initial: null, tr: null, lambda: null, dirty: true};
  });
  for (const el of document.querySelectorAll(".ro-lambda")) el.textContent = tr("measuring");
  captions();
}

// -- frames ----------------------------------------------------------------------------
function parseRecords(buf) {
  const dv = new DataView(buf), out = [];
  let off = 0;
  while (off + HEADER <= buf.byteLength) {
    const n = dv.getUint32(off + 4, true);
    const r = {n, step: dv.getUint32(off + 8, true), flags: dv.getUint32(off + 12, true), panel: dv.getUint8(off + 16),
      status: STATUSES[dv.getUint8(off + 17)]};
    FIELDS.forEach((k, i) => { r[k] = dv.getFloat64(off + 20 + 8 * i, true); });
    r.xy = new Uint16Array(buf, off + HEADER, 2 * n);
    r.speed = new Uint8Array(buf, off + HEADER + 4 * n, n);
    out.push(r);
    off += HEADER + 5 * n + ((4 - n % 4) % 4);
  }
  return out;
}

function onFrame(buf) {
  state.frames += 1;
  for (const r of parseRecords(buf)) {
    const g = state.gases[r.panel];
    if (!g || r.n !== g.info.n_particles) continue;
    if (g.last && r.step < g.last.step) Object.assign(g, {history: [], errors: [], initial: null, tr: null});  // a new run
    g.last = r;
    const prev = g.history[g.history.length - 1];
    const fresh = (r.flags & ENTROPY_FRESH) !== 0;
    if (!prev || prev.step !== r.step || fresh) {
      const p = {t: r.t, step: r.step, negh: -r.h, pos: r.s_pos, hydro: r.s_hydro, hydro_err: r.s_hydro_err, mu: r.s_mu};
      if (prev && prev.step === r.step) Object.assign(prev, p); else g.history.push(p);
      if (g.initial === null) g.initial = g.history[0];  // t = 0: the server computes every entropy there
    }
    if ((r.flags & REVERSED) && g.tr === null) g.tr = r.t - r.since;
    if (r.flags & ERROR_FRESH) g.errors.push({x: r.return_error_s, y: r.return_error});
    g.dirty = true;
  }
  state.last = state.gases.length ? state.gases[0].last : null;
}

setInterval(() => { state.fps = state.frames - (state.framesAtLastTick || 0); state.framesAtLastTick = state.frames;
  $("fps").textContent = state.connected ? tr("fps", {fps: state.fps}) : ""; }, 1000);

function render() {
  for (const g of state.gases) {
    if (!(g.dirty && g.last)) continue;
    const t0 = performance.now();
    g.dirty = false; drawPanel(g); buttons();
    state.drawMs = 0.9 * (state.drawMs || 0) + 0.1 * (performance.now() - t0);  // for benchmarks
  }
  requestAnimationFrame(render);
}

// -- one panel: picture, readouts, plots -------------------------------------------------
const ENTROPY = {hydro: "plot.axis_hydro", mu: "plot.axis_mu", pos: "plot.axis_pos", negh: "plot.axis_negh"};
function lastValue(g, key) {
  for (let i = g.history.length - 1; i >= 0; i--) if (Number.isFinite(g.history[i][key])) return g.history[i];
  return null;
}
function fmt(x, d = 4) { return Number.isFinite(x) ? x.toFixed(d) : "–"; }
function fmtErr(x) { return x === 0 ? tr("ro.return_error_zero") : (x < 1e-3 ? x.toExponential(2) : x.toPrecision(3)) + " σ"; }

function drawPanel(g) {
  const r = g.last, el = g.el, q = (sel) => el.querySelector(sel);
  drawGas(q("canvas.gas"), r, g.info.box, g.info.side, $("colour").value === "speed");
  const moving = (r.flags & MOVING) !== 0;
  const st = q("[data-testid=status]");
  st.dataset.status = r.status; st.dataset.moving = String(moving);
  let text = tr("status." + STATUS_KEY[r.status]);
  if ((r.flags & ARMED) && !(r.flags & REVERSED)) text += " · " + tr("status.armed", {stage: stageText()});
  if (!moving && r.status !== "returned" && r.status !== "did not return") text += " · " + tr("status.paused");
  st.textContent = text;
  st.className = "status st-" + STATUS_KEY[r.status];
  q("[data-testid=time]").textContent = r.t.toFixed(2);
  q(".ro-film").textContent = r.film_t.toFixed(2);
  q(".ro-fl").textContent = r.f_left.toFixed(3);
  q(".ro-lt").textContent = r.lambda_t < 0 ? "–" : r.lambda_t.toFixed(1);
  const ln = lnSigmaOverEps(g);
  q(".ro-lne").textContent = ln === null ? tr("ro.ln_eps_exact") : ln.toFixed(1);
  const re = q("[data-testid=return-error]");
  re.dataset.value = String(r.return_error);
  re.textContent = Number.isFinite(r.return_error) ? fmtErr(r.return_error) : tr("ro.return_error_none");
  re.className = Number.isFinite(r.return_error) ? (r.return_error < RETURN_THRESHOLD ? "ok" : "bad") : "";
  const kind = $("entropy").value, key = kind === "hydro" ? "hydro" : kind;
  const cur = lastValue(g, key), s0 = g.initial ? g.initial[key] : undefined;
  const en = q("[data-testid=entropy]");
  en.dataset.kind = kind; en.dataset.value = String(cur ? cur[key] : NaN);
  en.textContent = cur ? fmt(cur[key]) + (kind === "hydro" ? " ± " + fmt(cur.hydro_err) : "") + " k_B" : "–";
  q(".ro-s0").textContent = fmt(s0);
  const pts = g.history.filter((p) => Number.isFinite(p[key]));
  linePlot(q("canvas.plot-entropy"), {
    series: [{x: pts.map((p) => p.t), y: pts.map((p) => p[key]), err: kind === "hydro" ? pts.map((p) => p.hydro_err) : null}],
    xlabel: tr("plot.axis_t"), ylabel: tr(ENTROPY[kind]),
    hlines: [{y: s0, label: tr("plot.s0")}], vlines: g.tr === null ? [] : [{x: g.tr, label: tr("plot.reversal")}],
  });
  const eps = epsEff(g);
  logPlot(q("canvas.plot-error"), {
    points: g.errors, xlabel: tr("plot.axis_s"), ylabel: tr("plot.axis_err"),
    xmax: g.tr === null ? 1 : g.tr, threshold: RETURN_THRESHOLD, thresholdLabel: tr("plot.threshold"),
    growth: g.lambda ? {eps, lambda: g.lambda} : null, growthLabel: tr("plot.growth"), zeroLabel: tr("plot.zero"),
  });
}

function epsEff(g) { return state.eps > 0 ? state.eps : g.info.unit_roundoff; }
function lnSigmaOverEps(g) { const e = epsEff(g); return e > 0 ? Math.log(1 / e) : null; }
function stageText() {
  const c = state.info.config, tgt = state.info.config.reverse_at;
  return c.stage === "f_left" ? `f_L ≤ ${tgt}` : `t / L ≥ ${tgt} τ/σ`;
}

function captions() {
  if (!state.info) return;
  const c = state.info.config, every = state.info.gases[0].entropy_every;
  const parts = [tr("cap." + c.precision)];
  if (state.eps > 0) {
    parts.push(tr("cap.kick", {eps: state.eps, who: tr(state.kick === "one" ? "cap.kick_who_one" : "cap.kick_who_all"),
      ln: Math.log(1 / state.eps).toFixed(1)}));
  }
  const kind = $("entropy").value;
  parts.push(tr("cap.entropy_" + kind, {cells: state.info.gases[0].hydro_cells, every,
    dt_every: (every * c.steps_per_frame * c.dt).toFixed(2)}));
  parts.push(tr("cap.return_error"));
  if (state.mode === "pair") parts.unshift(tr("cap.pair"));
  $("caption").innerHTML = "";
  for (const p of parts) { const d = document.createElement("p"); d.textContent = p; $("caption").appendChild(d); }
  for (const g of state.gases) g.dirty = true;
}

// -- controls --------------------------------------------------------------------------
const SINGLE = ["n_particles", "density", "precision", "init", "eps", "kick", "seed", "steps_per_frame"];
const PAIR = ["n_small", "n_large", "density", "precision", "eps", "kick", "stage", "reverse_at", "seed", "steps_per_frame"];
function fillControls(c) { for (const [k, v] of Object.entries(c)) if ($(k)) $(k).value = String(v); }
function config() {
  const out = {};
  for (const k of state.mode === "pair" ? PAIR : SINGLE) out[k] = $(k).value.trim();
  return out;
}
$("reset").onclick = () => send({cmd: "reset", config: config()});
$("start").onclick = () => {
  const moving = state.gases.some((g) => g.last && (g.last.flags & MOVING));
  send({cmd: moving ? "pause" : "start"});
};
$("reverse").onclick = () => {
  state.eps = Number($("eps").value); state.kick = $("kick").value;
  send({cmd: "set", config: {eps: $("eps").value.trim(), kick: $("kick").value}});
  send({cmd: "reverse"}); captions();
};
$("steps_per_frame").onchange = () => send({cmd: "set", config: {steps_per_frame: $("steps_per_frame").value}});
$("colour").onchange = () => state.gases.forEach((g) => { g.dirty = true; });
$("entropy").onchange = captions;
for (const b of document.querySelectorAll("[data-preset]")) {
  b.onclick = () => {
    const p = state.info && state.info.presets ? state.info.presets[b.dataset.preset] : null;
    if (!p) return;
    fillControls(p);
    send({cmd: "reset", config: config()});
  };
}
function buttons() {
  const moving = state.gases.some((g) => g.last && (g.last.flags & MOVING));
  $("start").textContent = tr(moving ? "btn.pause" : "btn.start");
  $("reverse").textContent = tr(state.mode === "pair" ? "btn.reverse_pair" : "btn.reverse");
  $("reverse").disabled = state.gases.length > 0 && state.gases.every((g) => g.last && (g.last.flags & REVERSED));
}

// -- tabs and saved results ------------------------------------------------------------
function showTab(tab) {
  $("live").style.display = tab === "results" ? "none" : "flex";
  $("results").style.display = tab === "results" ? "block" : "none";
  for (const t of ["live", "pair", "results"]) $("tab-" + t).classList.toggle("active", t === tab);
  const mode = tab === "pair" ? "pair" : "single";
  if (tab !== "results" && state.mode !== mode) connect(mode);
  if (tab === "results") loadResults();
  url.set("tab", tab); history.replaceState(null, "", "?" + url.toString());
}
for (const t of ["live", "pair", "results"]) $("tab-" + t).onclick = () => showTab(t);

async function loadResults() {
  const body = $("results-body");
  body.textContent = tr("results.loading");
  const r = await fetch("/results/claims?lang=" + LANG);
  const data = await r.json();
  if (!r.ok) { body.textContent = r.status === 404 && /no results/.test(data.error) ? tr("results.none") : data.error; return; }
  let head = `<p class="meta">${escapeHtml(tr("results.header", {version: data.version, scale: data.scale, date: data.date}))}</p>`;
  if (data.source !== `summary.${LANG}.json`) head += `<p class="meta">${escapeHtml(tr("results.fallback", {source: data.source}))}</p>`;
  body.innerHTML = head + data.html;  // rendered and escaped by neqlab.report.html.render_claim
  state.resultsLoaded = true;
}
function escapeHtml(s) { const d = document.createElement("div"); d.textContent = String(s); return d.innerHTML; }

// -- start -----------------------------------------------------------------------------
async function main() {
  document.documentElement.lang = LANG;
  const r = await fetch("/api/strings?lang=" + LANG);
  T = (await r.json()).strings;
  applyTexts();
  document.title = tr("title");
  const other = new URLSearchParams(location.search); other.set("lang", LANG === "ja" ? "en" : "ja");
  $("lang-switch").href = "?" + other.toString();
  state.ready = true;
  const tab = url.get("tab") || (url.get("mode") === "pair" ? "pair" : "live");
  showTab(["live", "pair", "results"].includes(tab) ? tab : "live");
  if (tab === "results") connect("single");
  requestAnimationFrame(render);
}
main();
