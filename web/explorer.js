// overcap explorer: sliders -> POST /api/run -> verdict and charts (SVG drawn here).
// The page's state lives in the URL (?scenario=NAME&CONSTANT=VALUE...&mine=...&mc=1),
// so a link reproduces a view. No network beyond the server that served the page.
'use strict';

const KEY_SLIDERS = [
  'demand_price_elasticity', 'jump_1_factor', 'jump_1_year', 'jump_1_adoption_years',
  'hardware_life_years', 'gradual_efficiency_gain_per_year', 'demand_adjustment_years',
  'max_demand_expansion_per_year',
];
const STATE_CLASS = ['band-shortage', 'band-balanced', 'band-cycle', 'band-bubble'];
const MC_SAMPLES = 2000;
const SVG_NS = 'http://www.w3.org/2000/svg';

const app = {
  model: null,          // GET /api/model
  presets: [],          // GET /api/scenarios
  constants: new Map(), // name -> constant from /api/model
  state: { scenario: 'baseline', set: {}, mine: null, mc: false },
  runs: { base: null, mine: null, cur: null },
  mc: null,
  inflight: false,
  again: false,
  sliders: new Map(),   // name -> {input, value, box, info}
};

// ------------------------------------------------------------------ API

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  };
  const res = await fetch(path, opts);
  let data;
  try {
    data = await res.json();
  } catch (e) {
    throw new Error(`${path}: HTTP ${res.status}, not JSON`);
  }
  if (!res.ok) throw new Error(data.error || `${path}: HTTP ${res.status}`);
  return data;
}

const runBody = (s) => ({ scenario: s.scenario, set: s.set });

// ------------------------------------------------------------------ formatting

function fmt(x, digits = 3) {
  if (x === null || x === undefined || !isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(1).replace('e+', 'e');
  if (Number.isInteger(x) && a < 1e6) return String(x);
  return String(Number(x.toPrecision(digits)));
}

function fmtTick(x) {
  const a = Math.abs(x);
  if (a >= 1e12) return fmt(x / 1e12) + 'T';
  if (a >= 1e9) return fmt(x / 1e9) + 'G';
  if (a >= 1e6) return fmt(x / 1e6) + 'M';
  if (a >= 1e4) return fmt(x / 1e3) + 'k';
  return fmt(x);
}

function unitsLabel(u) {
  return u === 'dimensionless' || !u ? '' : u;
}

// ------------------------------------------------------------------ sliders

function isLog(c) {
  return c.min > 0 && c.max / c.min >= 50;
}

function stepFor(c) {
  if (isLog(c)) return 0.01;
  const span = c.max - c.min;
  return span > 0 ? Math.pow(10, Math.floor(Math.log10(span / 100))) : 1;
}

function toSlider(c, v) {
  return isLog(c) ? Math.log10(v) : v;
}

function fromSlider(c, input) {
  const x = Number(input.value);
  if (isLog(c)) return Number(Math.pow(10, x).toPrecision(4));
  const step = stepFor(c);
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  return Number(x.toFixed(digits));
}

function tooltip(c) {
  const units = unitsLabel(c.units);
  return `${c.name}${units ? ' (' + units + ')' : ''}\n` +
    `range ${fmt(c.min)} to ${fmt(c.max)}, default ${fmt(c.default)}\n\n${c.doc}`;
}

function makeSlider(c, parent) {
  const box = document.createElement('div');
  box.className = 'slider';
  box.id = 'slider-' + c.name;
  const label = document.createElement('label');
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = c.name.replace(/_/g, ' ');
  name.title = tooltip(c);
  const value = document.createElement('span');
  value.className = 'value';
  label.append(name, value);
  const input = document.createElement('input');
  input.type = 'range';
  input.name = c.name;
  input.min = String(toSlider(c, c.min));
  input.max = String(toSlider(c, c.max));
  input.step = String(stepFor(c));
  if (isLog(c)) input.dataset.log = '1';
  input.title = tooltip(c);
  input.setAttribute('aria-label', c.name.replace(/_/g, ' '));
  const range = document.createElement('div');
  range.className = 'range';
  const u = unitsLabel(c.units);
  range.innerHTML = '';
  const lo = document.createElement('span');
  lo.textContent = fmt(c.min) + (isLog(c) ? ' (log scale)' : '');
  const hi = document.createElement('span');
  hi.textContent = fmt(c.max) + (u ? ' ' + u : '');
  range.append(lo, hi);
  box.append(label, input, range);
  parent.append(box);
  input.addEventListener('input', () => {
    const v = fromSlider(c, input);
    app.state.set[c.name] = v;
    showValue(c.name, v);
    box.classList.add('changed');
    app.mc = null;
    app.state.mc = false;
    schedule();
  });
  app.sliders.set(c.name, { input, value, box, c });
}

function showValue(name, v) {
  const s = app.sliders.get(name);
  if (!s) return;
  const u = unitsLabel(s.c.units);
  s.value.textContent = fmt(v, 4) + (u ? ' ' + u : '');
}

// Puts every slider where the last run had its constant.
function syncSliders(constants) {
  for (const [name, s] of app.sliders) {
    const v = constants[name];
    if (v === undefined) continue;
    if (document.activeElement !== s.input || !(name in app.state.set))
      s.input.value = String(toSlider(s.c, v));
    showValue(name, v);
    s.box.classList.toggle('changed', name in app.state.set);
  }
}

// ------------------------------------------------------------------ URL state

function readUrl() {
  const q = new URLSearchParams(location.search);
  const st = { scenario: 'baseline', set: {}, mine: null, mc: q.get('mc') === '1' };
  if (q.get('scenario') && app.presets.some((p) => p.name === q.get('scenario')))
    st.scenario = q.get('scenario');
  for (const [k, v] of q) {
    if (app.constants.has(k) && v !== '' && isFinite(Number(v))) st.set[k] = Number(v);
  }
  if (q.get('mine')) {
    try {
      const m = JSON.parse(q.get('mine'));
      if (m && typeof m.scenario === 'string') st.mine = { scenario: m.scenario, set: m.set || {} };
    } catch (e) { /* an unreadable "mine" is ignored */ }
  }
  return st;
}

function writeUrl() {
  const q = new URLSearchParams();
  q.set('scenario', app.state.scenario);
  for (const k of Object.keys(app.state.set).sort()) q.set(k, String(app.state.set[k]));
  if (app.state.mine) q.set('mine', JSON.stringify(app.state.mine));
  if (app.state.mc) q.set('mc', '1');
  history.replaceState(null, '', '?' + q.toString());
}

// ------------------------------------------------------------------ runs

function schedule() {
  if (app.inflight) {
    app.again = true;
    return;
  }
  runCurrent();
}

async function runCurrent() {
  app.inflight = true;
  const t0 = performance.now();
  const snapshot = JSON.stringify(runBody(app.state));
  try {
    const res = await api('/api/run', JSON.parse(snapshot));
    app.runs.cur = res;
    syncSliders(res.constants);
    writeUrl();
    render();
    setStatus(`re-ran the model in ${Math.round(performance.now() - t0)} ms`);
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
    document.body.dataset.state = snapshot;
  } catch (e) {
    setStatus(e.message, true);
  }
  app.inflight = false;
  if (app.again) {
    app.again = false;
    runCurrent();
  }
}

function setStatus(text, isError) {
  const el = document.getElementById('status');
  el.textContent = text;
  el.classList.toggle('error', !!isError);
}

function selectPreset(name) {
  app.state.scenario = name;
  app.state.set = {};
  app.state.mc = false;
  app.mc = null;
  for (const b of document.querySelectorAll('#presets button'))
    b.classList.toggle('active', b.dataset.name === name);
  schedule();
}

async function runMonteCarlo() {
  const btn = document.getElementById('run-mc');
  btn.disabled = true;
  setStatus(`running ${MC_SAMPLES.toLocaleString('en')} futures…`);
  const t0 = performance.now();
  try {
    app.mc = await api('/api/mc', { ...runBody(app.state), samples: MC_SAMPLES });
    app.state.mc = true;
    writeUrl();
    render();
    setStatus(`${MC_SAMPLES.toLocaleString('en')} futures in ${Math.round(performance.now() - t0)} ms`);
  } catch (e) {
    setStatus(e.message, true);
  }
  btn.disabled = false;
}

// ------------------------------------------------------------------ verdict

function renderVerdict() {
  const r = app.runs.cur;
  const badge = document.getElementById('outcome');
  const cls = r.outcome === 'bubble' ? 'bubble' : r.outcome === 'normal cycle' ? 'cycle' : 'none';
  badge.textContent = r.outcome;
  badge.className = 'badge ' + cls;
  document.getElementById('verdict').textContent = r.verdict.charAt(0).toUpperCase() + r.verdict.slice(1) + '.';
  document.getElementById('verdict-box').dataset.outcome = r.outcome;
  const sets = Object.keys(app.state.set).sort().map((k) => ` --set ${k}=${app.state.set[k]}`).join('');
  document.getElementById('reproduce').textContent =
    `reproduce: overcap diagnose --scenario ${app.state.scenario}${sets}`;
}

// ------------------------------------------------------------------ charts

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG_NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.append(e);
  return e;
}

function niceLinear(lo, hi, n = 5) {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return { lo: Math.floor(lo / step) * step, hi: Math.ceil(hi / step) * step, ticks };
}

function niceLog(lo, hi) {
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const ticks = [];
  for (let k = a; k <= b; k++) {
    ticks.push(Math.pow(10, k));
    if (b - a <= 2 && k < b) ticks.push(2 * Math.pow(10, k), 5 * Math.pow(10, k));
  }
  return { lo: Math.pow(10, a), hi: Math.pow(10, b), ticks };
}

// opts: {title, ylabel, log, lines: [{x, y, cls, name}], states, fans: [{x, lo, hi, cls}], ymin0}
function drawChart(fig, opts) {
  const W = 560, H = 290, L = 62, R = 14, T = 30, B = 34;
  fig.replaceChildren();
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.title });
  fig.append(svg);
  const xs = opts.lines[0].x;
  const x0 = xs[0], x1 = xs[xs.length - 1];
  let ylo = Infinity, yhi = -Infinity;
  const take = (v) => {
    if (v === null || !isFinite(v) || (opts.log && v <= 0)) return;
    if (v < ylo) ylo = v;
    if (v > yhi) yhi = v;
  };
  for (const l of opts.lines) l.y.forEach(take);
  for (const f of opts.fans || []) { f.lo.forEach(take); f.hi.forEach(take); }
  if (!isFinite(ylo)) { ylo = 0; yhi = 1; }
  if (opts.ymin0 && !opts.log) ylo = Math.min(0, ylo);
  const ax = opts.log ? niceLog(ylo, yhi) : niceLinear(ylo, yhi);
  const px = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const py = opts.log
    ? (y) => T + (1 - (Math.log10(y) - Math.log10(ax.lo)) / (Math.log10(ax.hi) - Math.log10(ax.lo))) * (H - T - B)
    : (y) => T + (1 - (y - ax.lo) / (ax.hi - ax.lo)) * (H - T - B);
  // state bands of the current run
  if (opts.states) {
    const { time, state } = opts.states;
    let start = 0;
    for (let i = 1; i <= state.length; i++) {
      if (i === state.length || state[i] !== state[start]) {
        const xa = px(time[start]), xb = px(i < time.length ? time[i] : time[time.length - 1]);
        el('rect', { x: xa.toFixed(1), y: T, width: Math.max(0, xb - xa).toFixed(1), height: H - T - B,
          class: STATE_CLASS[state[start]], 'data-state': String(state[start]) }, svg);
        start = i;
      }
    }
  }
  for (const t of ax.ticks) {
    const y = py(t);
    if (y < T - 0.5 || y > H - B + 0.5) continue;
    el('line', { x1: L, x2: W - R, y1: y.toFixed(1), y2: y.toFixed(1), class: 'grid' }, svg);
    el('text', { x: L - 6, y: (y + 4).toFixed(1), 'text-anchor': 'end' }, svg).textContent = opts.fmtY ? opts.fmtY(t) : fmtTick(t);
  }
  for (let yr = Math.ceil(x0); yr <= x1; yr += (x1 - x0 > 12 ? 4 : 2)) {
    const x = px(yr);
    el('line', { x1: x.toFixed(1), x2: x.toFixed(1), y1: H - B, y2: H - B + 4, class: 'axis' }, svg);
    el('text', { x: x.toFixed(1), y: H - B + 16, 'text-anchor': 'middle' }, svg).textContent = String(yr);
  }
  el('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }, svg);
  el('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'axis' }, svg);
  el('text', { x: 8, y: 18, class: 'title' }, svg).textContent = opts.title;
  el('text', { x: L, y: H - 4, class: 'small' }, svg).textContent = opts.ylabel;
  const path = (x, y) => {
    let d = '', pen = false;
    for (let i = 0; i < x.length; i++) {
      const v = y[i];
      if (v === null || !isFinite(v) || (opts.log && v <= 0)) { pen = false; continue; }
      d += (pen ? 'L' : 'M') + px(x[i]).toFixed(1) + ',' + py(v).toFixed(1);
      pen = true;
    }
    return d;
  };
  for (const f of opts.fans || []) {
    let d = '';
    for (let i = 0; i < f.x.length; i++) d += (i ? 'L' : 'M') + px(f.x[i]).toFixed(1) + ',' + py(Math.max(f.hi[i], opts.log ? ax.lo : -Infinity)).toFixed(1);
    for (let i = f.x.length - 1; i >= 0; i--) d += 'L' + px(f.x[i]).toFixed(1) + ',' + py(Math.max(f.lo[i], opts.log ? ax.lo : -Infinity)).toFixed(1);
    el('path', { d: d + 'Z', class: f.cls }, svg);
  }
  for (const l of opts.lines) {
    const p = el('path', { d: path(l.x, l.y), class: l.cls, 'data-series': l.name }, svg);
    el('title', {}, p).textContent = l.label || l.name;
  }
  // legend: top right
  let ly = T + 12;
  for (const l of opts.lines.filter((l) => l.legend)) {
    el('line', { x1: W - R - 120, x2: W - R - 100, y1: ly - 4, y2: ly - 4, class: l.cls }, svg);
    el('text', { x: W - R - 96, y: ly }, svg).textContent = l.legend;
    ly += 14;
  }
}

function linesFor(names, scale, legends) {
  const out = [];
  const add = (run, cls, tag) => {
    if (!run) return;
    names.forEach((n, k) => out.push({
      x: run.time, y: run.series[n].map((v) => (v === null ? null : v * scale)),
      cls: typeof cls === 'string' ? cls : cls[k], name: `${tag}:${n}`,
      legend: tag === 'current' ? legends[k] : undefined, label: `${tag}: ${n}`,
    }));
  };
  add(app.runs.base, 's-base', 'baseline');
  add(app.runs.mine, 's-mine', 'mine');
  add(app.runs.cur, ['s-cur', 's-cur-2'], 'current');
  return out;
}

function capacityTitle(r) {
  if (r.outcome === 'bubble') {
    const e = r.episodes[0];
    return `Bubble ${fmt(e.onset, 5)}–${fmt(e.end, 5)}: capacity far above demand`;
  }
  if (r.outcome === 'normal cycle') return 'Idle capacity, but demand fills it before the hardware ages out';
  return 'Demand keeps up with capacity';
}

function render() {
  const r = app.runs.cur;
  if (!r) return;
  renderVerdict();
  const states = { time: r.time, state: r.state };
  const capUnits = r.units.compute_capacity;
  const fans = [];
  if (app.mc) {
    for (const [name, cls] of [['compute_capacity', ''], ['compute_demand', ' demand']]) {
      const b = app.mc.bands[name];
      fans.push({ x: b.time, lo: b.p5, hi: b.p95, cls: 'fan-outer' + cls });
      fans.push({ x: b.time, lo: b.p25, hi: b.p75, cls: 'fan-inner' + cls });
    }
  }
  drawChart(document.getElementById('chart-capacity'), {
    title: capacityTitle(r), ylabel: `capacity and demand, ${capUnits} (log scale)` + (app.mc ? '; bands: Monte Carlo 5–95% and 25–75%' : ''),
    log: true, states, fans,
    lines: linesFor(['compute_capacity', 'compute_demand'], 1, ['capacity', 'demand']),
  });
  drawChart(document.getElementById('chart-utilization'), {
    title: `Utilization: lowest ${fmt(Math.min(...r.series.utilization.filter((v) => v !== null)) * 100, 2)}%`,
    ylabel: 'share of capacity in use, %', states, ymin0: true,
    lines: linesFor(['utilization'], 100, ['utilization']),
  });
  drawChart(document.getElementById('chart-price'), {
    title: 'Compute price', ylabel: `${r.units.compute_price} (log scale)`, log: true, states,
    lines: linesFor(['compute_price'], 1, ['price']),
  });
  const strandedT = r.max_stranded === null ? '–' : `$${fmt(r.max_stranded / 1000, 3)}T`;
  drawChart(document.getElementById('chart-money'), {
    title: `Capex and stranded capital (stranded peaks at ${strandedT})`,
    ylabel: `billion USD per year (capex), billion USD (stranded)`, states, ymin0: true,
    lines: linesFor(['capex', 'stranded_book_value'], 1, ['capex', 'stranded']),
  });
  const mcFig = document.getElementById('chart-mc');
  if (app.mc) {
    mcFig.hidden = false;
    const p = app.mc.p_bubble_by_year;
    const x = p.map((q) => q.year);
    const last = p[p.length - 1];
    drawChart(mcFig, {
      title: `P(bubble by ${last.year}) = ${(last.p * 100).toFixed(1)}% over ${app.mc.samples} futures`,
      ylabel: 'probability of a bubble by then, % (95% interval shaded)', ymin0: true, fmtY: (t) => fmt(t),
      fans: [{ x, lo: p.map((q) => q.lo * 100), hi: p.map((q) => q.hi * 100), cls: 'p-ci' }],
      lines: [{ x, y: p.map((q) => q.p * 100), cls: 'p-line', name: 'p_bubble' }],
    });
  } else {
    mcFig.hidden = true;
  }
}

// ------------------------------------------------------------------ downloads

function download(name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// The scenario as a file `overcap run --scenario FILE` reads: the preset's
// settings and jumps, as this run used them, and the slider changes.
function scenarioFile() {
  const r = app.runs.cur, preset = app.presets.find((p) => p.name === app.state.scenario);
  const set = { ...(preset ? preset.set : {}) };
  for (const p of ['year', 'factor', 'adoption_years'])
    for (let k = 1; k <= (preset ? preset.jumps.length : 0); k++) set[`jump_${k}_${p}`] = r.constants[`jump_${k}_${p}`];
  Object.assign(set, app.state.set);
  const changes = Object.keys(app.state.set).length;
  return JSON.stringify({
    name: `${app.state.scenario}${changes ? '-edited' : ''}`,
    description: `From the overcap explorer: preset ${app.state.scenario}` +
      (changes ? ` with ${changes} assumption(s) changed.` : '.'),
    set,
  }, null, 2) + '\n';
}

function seriesCsv() {
  const r = app.runs.cur, names = Object.keys(r.series);
  const lines = ['time,state,' + names.join(',')];
  r.time.forEach((t, i) => {
    lines.push([t, JSON.stringify(r.states[r.state[i]]), ...names.map((n) => (r.series[n][i] === null ? '' : r.series[n][i]))].join(','));
  });
  return lines.join('\n') + '\n';
}

// ------------------------------------------------------------------ start

async function start() {
  try {
    const [model, sc] = await Promise.all([api('/api/model'), api('/api/scenarios')]);
    app.model = model;
    app.presets = sc.scenarios;
    for (const c of model.constants) app.constants.set(c.name, c);
  } catch (e) {
    setStatus('cannot reach the overcap server: ' + e.message, true);
    return;
  }
  const keyBox = document.getElementById('key-sliders'), moreBox = document.getElementById('more-sliders');
  for (const name of KEY_SLIDERS) if (app.constants.has(name)) makeSlider(app.constants.get(name), keyBox);
  for (const c of app.model.constants) if (!KEY_SLIDERS.includes(c.name)) makeSlider(c, moreBox);
  const nav = document.getElementById('presets');
  for (const p of app.presets) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = p.name;
    b.title = p.description + (p.assumptions ? '\n\n' + p.assumptions : '');
    b.dataset.name = p.name;
    b.id = 'preset-' + p.name;
    b.addEventListener('click', () => selectPreset(p.name));
    nav.append(b);
  }
  app.state = readUrl();
  for (const b of nav.querySelectorAll('button')) b.classList.toggle('active', b.dataset.name === app.state.scenario);
  document.getElementById('save-mine').addEventListener('click', () => {
    app.state.mine = { scenario: app.state.scenario, set: { ...app.state.set } };
    app.runs.mine = app.runs.cur;
    writeUrl();
    render();
  });
  document.getElementById('clear-mine').addEventListener('click', () => {
    app.state.mine = null;
    app.runs.mine = null;
    writeUrl();
    render();
  });
  document.getElementById('run-mc').addEventListener('click', runMonteCarlo);
  document.getElementById('download-json').addEventListener('click', () =>
    download(`${app.state.scenario}-scenario.json`, 'application/json', scenarioFile()));
  document.getElementById('download-csv').addEventListener('click', () =>
    download(`${app.state.scenario}-series.csv`, 'text/csv', seriesCsv()));
  document.getElementById('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setStatus('link copied');
    } catch (e) {
      setStatus('copy this address: ' + location.href);
    }
  });
  try {
    const [base, mine] = await Promise.all([
      api('/api/run', { scenario: 'baseline' }),
      app.state.mine ? api('/api/run', runBody(app.state.mine)) : Promise.resolve(null),
    ]);
    app.runs.base = base;
    app.runs.mine = mine;
  } catch (e) {
    setStatus(e.message, true);
  }
  await runCurrent();
  if (app.state.mc) await runMonteCarlo();
  document.body.dataset.ready = '1';
}

start();
