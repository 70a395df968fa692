// gdviz lesson instrument: draws a stepped lesson's charts, metrics and arithmetic in the browser
// from data the NumPy core computed (every shown number is formatted in Python). Live sliders
// redraw on every input event and commit to Python once, on release; Play / Step / the timeline
// run here at display rate with no server rerun. See gdviz/ui/instrument/__init__.py.

const STATE = new WeakMap(); // parentElement -> instrument state
let plotlyPromise = null;

function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (plotlyPromise) return plotlyPromise;
  plotlyPromise = new Promise((resolve, reject) => {
    const s = document.createElement("script");
    // Served by Streamlit's static serving from the plotly wheel's own file (no CDN).
    s.src = new URL("app/static/gdviz/plotly.min.js", document.baseURI).href;
    s.onload = () => resolve(window.Plotly);
    s.onerror = () => { plotlyPromise = null; reject(new Error("plotly.min.js could not be loaded")); };
    document.head.appendChild(s);
  });
  return plotlyPromise;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

// Numeric arrays arrive as comma-joined strings ("0.5,1,,2": empty = no value/off the chart).
function nums(v) {
  if (typeof v !== "string") return v;
  if (v === "") return [];
  const parts = v.split(",");
  const out = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = parts[i] === "" ? null : parseFloat(parts[i]);
  return out;
}

function linspace(lo, hi, n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1);
  return out;
}

function decodeTrace(t) {
  const o = {};
  for (const k in t) {
    if (k === "xlin") { o.x = linspace(t.xlin[0], t.xlin[1], t.xlin[2]); continue; }
    if (k === "x" || k === "y" || k === "z" && typeof t[k] === "string") o[k] = nums(t[k]);
    else if (k === "z" && Array.isArray(t[k])) o[k] = t[k].map(nums);
    else o[k] = t[k];
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
function build(st) {
  const { root, data } = st;
  root.replaceChildren();
  root.className = "gdi" + (data.lecture ? " gdi-lecture" : "");
  root.tabIndex = -1;
  st.sliderEls = {};
  // live sliders
  if (data.live && data.live.length) {
    const row = el("div", "gdi-live");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "live settings");
    for (const p of data.live) {
      const box = el("label", "gdi-slider");
      box.title = p.help || "";
      const head = el("div", "gdi-slider-head");
      head.append(el("span", "gdi-slider-name", p.label));
      const out = el("output", "gdi-slider-value", p.values[p.index]);
      head.append(out);
      const input = el("input");
      input.type = "range"; input.min = 0; input.max = p.values.length - 1; input.step = 1;
      input.value = p.index;
      input.setAttribute("data-name", p.name);
      input.setAttribute("aria-label", p.label);
      input.setAttribute("aria-valuetext", p.values[p.index]);
      const ends = el("div", "gdi-slider-ends");
      ends.append(el("span", null, p.values[0]), el("span", null, p.values[p.values.length - 1]));
      box.append(head, input, ends);
      row.append(box);
      st.sliderEls[p.name] = { input, out, p, box };
      input.addEventListener("input", () => onSliderInput(st, p.name));
      input.addEventListener("change", () => onSliderCommit(st, p.name));
      // previews are sent for the sliders a student moves: ask for this one's before it is dragged
      for (const ev of ["pointerenter", "pointerdown", "focus"]) input.addEventListener(ev, () => wantGrid(st, p.name));
    }
    root.append(row);
  }
  // player
  const player = el("div", "gdi-player");
  const b = (text, title, cls) => { const x = el("button", "gdi-btn " + (cls || ""), text); x.type = "button"; x.title = title; return x; };
  st.btnReset = b("⟲ Reset", "Back to the first " + data.unit + " (Home)");
  st.btnBack = b("◂ Back", "One " + data.unit + " back (←)");
  st.btnPlay = b("▶ Play", "Play the run (Space)", "gdi-primary");
  st.btnStep = b("Step ▸", "One " + data.unit + " on (→)");
  st.speed = el("select", "gdi-speed");
  st.speed.title = "Play speed: " + data.unit + "s per second";
  st.speed.setAttribute("aria-label", "play speed");
  for (const s of data.speeds) {
    const o = el("option", null, s + "/s"); o.value = s; st.speed.append(o);
  }
  st.speed.value = String(data.speed);
  st.timeline = el("input", "gdi-timeline");
  st.timeline.type = "range"; st.timeline.min = 1; st.timeline.step = 1;
  st.timeline.setAttribute("aria-label", "timeline");
  st.position = el("span", "gdi-position");
  const tl = el("div", "gdi-tl");
  tl.append(st.timeline, st.position);
  player.append(st.btnReset, st.btnBack, st.btnPlay, st.btnStep, st.speed, tl);
  root.append(player);
  st.btnReset.onclick = () => { stop(st); setCursor(st, 0, true); };
  st.btnBack.onclick = () => { stop(st); setCursor(st, st.cursor - 1, true); };
  st.btnStep.onclick = () => { stop(st); setCursor(st, st.cursor + 1, true); };
  st.btnPlay.onclick = () => (st.playing ? stop(st, true) : play(st));
  st.speed.onchange = () => { st.speedValue = parseFloat(st.speed.value); };
  st.timeline.addEventListener("input", () => { stop(st); setCursor(st, parseInt(st.timeline.value, 10) - 1, false); });
  st.timeline.addEventListener("change", () => commitIteration(st));
  st.notice = el("div", "gdi-notice");
  st.notice.setAttribute("role", "status");
  root.append(st.notice);
  // charts, metrics, arithmetic, in the page's layout: rows of columns
  st.chartEls = {};
  st.metricEls = [];
  let hasArith = false;
  for (const row of data.rows) {
    const main = el("div", "gdi-main");
    main.style.setProperty("--gdi-cols", row.widths.map((w) => w + "fr").join(" "));
    for (const col of row.columns) {
      const c = el("div", "gdi-col");
      for (const item of col) {
        if (item === "metrics") {
          st.metricsBox = el("div", "gdi-metrics");
          c.append(st.metricsBox);
        } else if (item === "arith") {
          hasArith = true;
          c.append(arithBox(st));
        } else {
          const chart = data.charts.find((x) => x.id === item);
          const d = el("div", "gdi-chart");
          d.setAttribute("data-chart", item);
          d.style.height = chart.figure.layout.height + "px";
          c.append(d);
          st.chartEls[item] = d;
        }
      }
      main.append(c);
    }
    root.append(main);
  }
  if (!hasArith) root.append(arithBox(st));
  st.notes = el("div", "gdi-notes");
  root.append(st.notes);
  // pictures for slides: each chart's toolbar saves PNG/SVG; the whole run as an animated GIF
  const exp = el("div", "gdi-export");
  st.gifSize = el("select", "gdi-speed");
  st.gifSize.setAttribute("aria-label", "GIF size");
  for (const [label, v] of [["slide 960×540", "960x540"], ["slide 1280×720", "1280x720"], ["small 640×360", "640x360"]]) {
    const o = el("option", null, label); o.value = v; st.gifSize.append(o);
  }
  const gifBtn = b("⤓ GIF of the run", "Download the run as an animated GIF (for a slide)");
  gifBtn.classList.add("gdi-gif");
  st.gifBar = el("progress", "gdi-gif-bar"); st.gifBar.max = 1; st.gifBar.value = 0;
  st.gifStatus = el("span", "gdi-gif-status");
  gifBtn.onclick = () => { const [w, h] = st.gifSize.value.split("x").map(Number); exportGif(st, w, h); };
  exp.append(gifBtn, st.gifSize, st.gifBar, st.gifStatus);
  root.append(exp);
  st.drawn = {};
  st.plotted = false;
}

function arithBox(st) {
  const box = el("div", "gdi-arith-box");
  st.arithTitle = el("div", "gdi-arith-title");
  st.arithTable = el("table", "gdi-arith");
  st.arithTable.append(el("tbody"));
  box.append(st.arithTitle, st.arithTable);
  return box;
}

// The run being shown: the committed one, or one of a live slider's grid while it is dragged.
function variant(st) {
  const d = st.data;
  if (st.dragging) {
    const g = d.grids[st.dragging.name];
    if (g && g[st.dragging.index]) return g[st.dragging.index];
  }
  return d.base;
}

function frameOf(v, i) {
  if (v.frames[i]) return [v.frames[i], i];
  // a grid run carries the frame under the cursor only
  const keys = Object.keys(v.frames);
  let best = keys[0];
  for (const k of keys) if (Math.abs(k - i) < Math.abs(best - i)) best = k;
  return [v.frames[best], parseInt(best, 10)];
}

function draw(st) {
  if (!window.Plotly || !st.plotted) return;
  const v = variant(st);
  const n = v.n;
  const i = Math.min(Math.max(st.cursor, 0), n - 1);
  const [f] = frameOf(v, i);
  for (const chart of st.data.charts) {
    const gd = st.chartEls[chart.id];
    if (!gd) continue;
    const idx = [], upd = [];
    const runT = (v.run && v.run[chart.id]) || {};
    const frT = (f.traces && f.traces[chart.id]) || {};
    for (const k in runT) {
      let t = st.decoded.get(runT[k]);
      if (!t) { t = decodeTrace(runT[k]); st.decoded.set(runT[k], t); }
      if (t.prefix) {
        const m = (i + 1) * t.prefix, cut = {};
        for (const a of ["x", "y", "z", "text"]) if (Array.isArray(t[a])) cut[a] = t[a].slice(0, m);
        t = Object.assign({}, t, cut);
        delete t.prefix;
      }
      idx.push(parseInt(k, 10)); upd.push(t);
    }
    for (const k in frT) {  // a trace with run data and frame data: one update, the frame's on top
      const at = idx.indexOf(parseInt(k, 10)), t = decodeTrace(frT[k]);
      if (at >= 0) upd[at] = Object.assign({}, upd[at], t); else { idx.push(parseInt(k, 10)); upd.push(t); }
    }
    const lay = (v.layout && v.layout[chart.id]) || null;
    const layKey = lay ? JSON.stringify(lay) : "";
    try {
      if (chart.redraw || layKey !== (st.drawn[chart.id] || "")) {
        // axis ranges or a heatmap change: a full update of the changed traces and layout
        const attrs = {};
        upd.forEach((t) => { for (const a in t) attrs[a] = true; });
        for (const a in attrs) attrs[a] = upd.map((t) => (a in t ? t[a] : undefined));
        Plotly.update(gd, attrs, lay ? flatten(lay) : {}, idx);
        st.drawn[chart.id] = layKey;
      } else if (idx.length) {
        Plotly.animate(gd, { data: upd, traces: idx }, { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" });
      }
    } catch (e) { console.error("gdviz instrument: chart", chart.id, e); }
  }
  // metrics
  if (st.metricsBox) {
    const ms = f.metrics || [];
    if (st.metricEls.length !== ms.length) {
      st.metricsBox.replaceChildren();
      st.metricEls = ms.map(() => {
        const m = el("div", "gdi-metric");
        const l = el("div", "gdi-metric-label"), val = el("div", "gdi-metric-value");
        m.append(l, val); st.metricsBox.append(m); return { l, val };
      });
    }
    ms.forEach(([label, value], j) => {
      if (st.metricEls[j].l.textContent !== label) st.metricEls[j].l.textContent = label;
      if (st.metricEls[j].val.textContent !== value) st.metricEls[j].val.textContent = value;
    });
  }
  // arithmetic
  if (st.arithTable && f.arith) {
    st.arithTitle.textContent = f.arith.title || "";
    const body = st.arithTable.tBodies[0];
    const rows = f.arith.rows || [];
    while (body.rows.length > rows.length) body.deleteRow(-1);
    while (body.rows.length < rows.length) {
      const tr = body.insertRow();
      for (const c of ["phase", "name", "formula", "nums", "val"]) { const td = tr.insertCell(); td.className = c; }
    }
    let last = null;
    rows.forEach((r, j) => {
      const tr = body.rows[j];
      tr.className = r[0];
      const cells = [r[0] !== last ? r[0] : "", r[1], "= " + r[2], "= " + r[3], "= " + r[4]];
      last = r[0];
      cells.forEach((text, c) => { if (tr.cells[c].textContent !== text) tr.cells[c].textContent = text; });
    });
  }
  // notices (diverged, "input is 0" ...)
  const notes = (f.notes || []);
  const key = notes.join("\n");
  if (st.notesKey !== key) {
    st.notes.replaceChildren(...notes.map((t) => el("div", "gdi-note", t)));
    st.notesKey = key;
  }
  const banner = v.notice || "";
  if (st.notice.textContent !== banner) st.notice.textContent = banner;
  st.notice.hidden = !banner;
  // position
  st.timeline.max = n;
  st.timeline.value = i + 1;
  st.timeline.disabled = n <= 1;
  st.position.textContent = f.position || (st.data.unit + " " + (i + 1) + " of " + n);
  st.btnBack.disabled = i <= 0;
  st.btnStep.disabled = i >= n - 1;
  st.shown = i;
  st.root.setAttribute("data-frame", String(i + 1));
  st.root.setAttribute("data-variant", st.dragging ? st.dragging.name + ":" + st.dragging.index : "base");
}

function flatten(obj, prefix, out) {
  out = out || {};
  for (const k in obj) {
    const v = obj[k], name = prefix ? prefix + "." + k : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, name, out); else out[name] = v;
  }
  return out;
}

function setCursor(st, i, commit) {
  const n = variant(st).n;
  st.cursor = Math.min(Math.max(i, 0), n - 1);
  draw(st);
  if (commit) commitIteration(st);
}

function commitIteration(st) {
  clearTimeout(st.iterTimer);
  st.iterTimer = setTimeout(() => {
    if (st.cursor + 1 !== st.committedIteration) {
      st.committedIteration = st.cursor + 1;
      st.api.setTriggerValue("iteration", st.cursor + 1);
    }
  }, 350);
}

// ---------------------------------------------------------------------------------------------
function play(st) {
  const n = st.data.base.n;
  if (n <= 1) return;
  if (st.cursor >= n - 1) st.cursor = 0;
  st.playing = true;
  st.btnPlay.textContent = "❚❚ Pause";
  st.btnPlay.title = "Pause (Space)";
  st.root.setAttribute("data-playing", "true");
  // only a presenter tells the server about Play (its room follows): otherwise Play reruns nothing
  if (!st.following && st.data.presenting) st.api.setTriggerValue("playing", { playing: true, iteration: st.cursor + 1, speed: st.speedValue });
  st.playStart = performance.now();
  st.playFrom = st.cursor;
  const tick = (now) => {
    if (!st.playing) return;
    const due = st.playFrom + Math.floor(((now - st.playStart) / 1000) * st.speedValue);
    if (due > st.cursor) {  // one frame at a time: a busy machine slows Play down, never skips a frame
      st.cursor = Math.min(st.cursor + 1, n - 1);
      if (due > st.cursor + 1) { st.playStart = now; st.playFrom = st.cursor; }
      draw(st);
    }
    if (st.cursor >= n - 1) { stop(st, true); return; }
    st.raf = requestAnimationFrame(tick);
  };
  st.raf = requestAnimationFrame(tick);
}

function stop(st, commit) {
  if (!st.playing) return;
  st.playing = false;
  cancelAnimationFrame(st.raf);
  st.btnPlay.textContent = "▶ Play";
  st.btnPlay.title = "Play the run (Space)";
  st.root.removeAttribute("data-playing");
  if (!st.following && st.data.presenting) st.api.setTriggerValue("playing", { playing: false, iteration: st.cursor + 1, speed: st.speedValue });
  st.committedIteration = st.cursor + 1;
  if (commit && !st.following) commitIteration(st);
  st.following = false;
}

// ---------------------------------------------------------------------------------------------
function onSliderInput(st, name) {
  if (st.pending) { // a commit is on its way to Python: keep the slider where it was
    const s = st.sliderEls[name];
    s.input.value = st.dragging && st.dragging.name === name ? st.dragging.index : s.p.index;
    return;
  }
  stop(st);
  const s = st.sliderEls[name];
  const index = parseInt(s.input.value, 10);
  s.out.textContent = s.p.values[index];
  s.input.setAttribute("aria-valuetext", s.p.values[index]);
  st.dragging = index === s.p.index ? null : { name, index };
  s.box.classList.toggle("gdi-waiting", !!st.dragging && !(st.data.grids[name] || [])[index]);
  draw(st);
}

// Ask Python for a slider's previews (its grid) once per payload, when the payload lacks them.
function wantGrid(st, name) {
  const d = st.data;
  if (!d || !d.gridsFor || d.gridsFor.includes(name) || st.pending) return;
  const token = st.seq + ":" + name;
  if (st.wanted === token) return;
  st.wanted = token;
  st.api.setTriggerValue("want", { name });
}

function onSliderCommit(st, name) {
  const s = st.sliderEls[name];
  const index = parseInt(s.input.value, 10);
  clearTimeout(st.commitTimer);
  // arrow keys fire a change per press: commit once they pause
  st.commitTimer = setTimeout(() => {
    if (index === s.p.index) { st.dragging = null; draw(st); return; }
    st.pending = { name, index };
    clearTimeout(st.pendingTimer);  // a lost answer must not block the sliders for ever
    st.pendingTimer = setTimeout(() => { st.pending = null; }, 4000);
    st.api.setTriggerValue("commit", { name, index, value: s.p.values[index], iteration: st.cursor + 1, rev: st.data.rev });
  }, 120);
}

function onKey(st, ev) {
  if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) return;
  if (!st.root.isConnected) return;
  const t = ev.target, tag = t && t.tagName;
  // typing, a focused slider (its arrows move it) and a focused button's own Space/Enter win
  if (tag === "TEXTAREA" || tag === "SELECT" || tag === "INPUT" || (t && t.isContentEditable)) return;
  if (tag === "BUTTON" && (ev.key === " " || ev.key === "Enter")) return;
  if (t && t.closest && t.closest("[role='slider'], [data-baseweb='select'], [role='listbox']")) return;
  if (ev.key === " " || ev.key === "k") { ev.preventDefault(); st.playing ? stop(st, true) : play(st); }
  else if (ev.key === "ArrowRight" || ev.key === "PageDown") { ev.preventDefault(); stop(st); setCursor(st, st.cursor + 1, true); }
  else if (ev.key === "ArrowLeft" || ev.key === "PageUp") { ev.preventDefault(); stop(st); setCursor(st, st.cursor - 1, true); }
  else if (ev.key === "Home") { ev.preventDefault(); stop(st); setCursor(st, 0, true); }
  else if (ev.key === "End") { ev.preventDefault(); stop(st); setCursor(st, variant(st).n - 1, true); }
}

// ---------------------------------------------------------------------------------------------
function exportButtons(st, chart) {
  const name = (st.data.filename || "gdviz") + "-" + chart.id;
  const shot = (format) => (gd) => {
    const l = gd.layout || {};
    Plotly.downloadImage(gd, { format, filename: name + "-" + (st.cursor + 1), width: l.width || gd.clientWidth, height: l.height || gd.clientHeight, scale: format === "png" ? 2 : 1 });
  };
  return [[
    { name: "png", title: "Save as PNG (for a slide)", icon: Plotly.Icons.camera, click: shot("png") },
    { name: "svg", title: "Save as SVG (for a slide)", icon: Plotly.Icons.disk, click: shot("svg") },
  ]];
}

async function plotAll(st) {
  const P = await loadPlotly();
  const d = st.data;
  st.baseLayout = {};
  for (const chart of d.charts) {
    const gd = st.chartEls[chart.id];
    if (!gd) continue;
    const fig = chart.figure;
    st.baseLayout[chart.id] = fig.layout;
    const config = { responsive: true, displaylogo: false, displayModeBar: "hover", modeBarButtons: exportButtons(st, chart), scrollZoom: false, doubleClick: false };
    await P.newPlot(gd, fig.data.map(decodeTrace), fig.layout, config);
  }
  st.plotted = true;
  st.drawn = {};
  // the template was drawn at its own frame; draw the cursor's frame of the committed run now
  for (const chart of d.charts) {
    const lay = d.base.layout && d.base.layout[chart.id];
    st.drawn[chart.id] = lay ? JSON.stringify(lay) : "";
  }
  draw(st);
  st.root.setAttribute("data-ready", "true");
}

// ---------------------------------------------------------------------------------------------
export default function (component) {
  const { parentElement, setTriggerValue } = component;
  let raw = component.data;
  let st = STATE.get(parentElement);
  if (!st) {
    const root = document.createElement("div");
    parentElement.appendChild(root);
    st = { root, api: component, cursor: 0, playing: false, decoded: new WeakMap(), raw: null };
    STATE.set(parentElement, st);
    st.keyHandler = (ev) => onKey(st, ev);
    document.addEventListener("keydown", st.keyHandler);
  }
  st.api = component;
  // every rerun answers a commit, even one that changed nothing (a refused value): unblock the sliders
  if (st.pending) { st.pending = null; clearTimeout(st.pendingTimer); }
  if (raw === st.raw) {
    if (st.dragging && !st.pending) { st.dragging = null; draw(st); }
    return () => {};
  }
  st.raw = raw;
  let head;
  try {
    head = typeof raw === "string" ? JSON.parse(raw) : raw;
  } catch (e) {
    st.root.textContent = "This lesson's data could not be read.";
    return () => {};
  }
  // the heavy parts come over HTTP (each once per content): draw when they are all here, and
  // only if no newer payload has arrived meanwhile (the drawing shown stays until then)
  const seq = st.headSeq = (st.headSeq || 0) + 1;
  withParts(head).then((data) => { if (seq === st.headSeq) apply(st, data); }, (e) => {
    if (seq !== st.headSeq) return;
    if (!st.data) st.root.textContent = "This lesson's data could not be loaded (" + e.message + "): reload the page.";
  });
  return () => {};
}

// A payload's parts, by address: each fetched once and decoded once (the last few kept, so
// going back to a setting or a cursor seen lately needs no fetch).
const PARTS = new Map();
const PARTS_KEPT = 24;

function part(url) {
  let p = PARTS.get(url);
  if (p) PARTS.delete(url);
  else {
    p = fetchPart(url);
    p.catch(() => PARTS.delete(url));
  }
  PARTS.set(url, p);
  while (PARTS.size > PARTS_KEPT) PARTS.delete(PARTS.keys().next().value);
  return p;
}

async function fetchPart(url) {
  const href = new URL(String(url).replace(/^\/+/, ""), document.baseURI).href;
  for (let k = 0; ; k++) {
    const r = await fetch(href, { credentials: "same-origin" });
    if (r.ok) {
      // gzipped once on the server, sent as it is (application/gzip): unzipped here
      const text = await new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).text();
      return JSON.parse(text);
    }
    if (k >= 3) throw new Error("HTTP " + r.status);
    await new Promise((res) => setTimeout(res, 150 * (k + 1)));  // a rerun may be putting it back
  }
}

async function withParts(head) {
  if (!head.parts) return head;
  const names = Object.keys(head.parts.grids || {});
  const got = await Promise.all([part(head.parts.base), ...names.map((n) => part(head.parts.grids[n]))]);
  const data = Object.assign({}, got[0], head, { grids: {} });
  delete data.parts;
  names.forEach((n, k) => { data.grids[n] = got[k + 1]; });
  return data;
}

function apply(st, data) {
  const old = st.data;
  st.data = data;
  st.seq = (st.seq || 0) + 1;
  st.decoded = new WeakMap();
  st.speedValue = st.speedValue || data.speed;
  const sameShape = old && old.shape === data.shape;
  const newRev = !old || old.rev !== data.rev;
  // the answer to a request for previews changes nothing committed: a drag in progress goes on
  const keepDrag = st.dragging && sameShape && !newRev && old.base.n === data.base.n &&
    (data.live || []).every((p, k) => old.live[k] && old.live[k].index === p.index);
  if (!keepDrag) st.dragging = null;
  if (newRev) {
    stop(st);
    st.cursor = Math.max(0, (data.iteration || 1) - 1);
    st.committedIteration = data.iteration || 1;
    if (data.play) {  // following a teacher who is playing
      if (data.playSpeed) st.speedValue = data.playSpeed;
      st.following = true;
      setTimeout(() => play(st), 0);
    }
  }
  st.cursor = Math.min(st.cursor, data.base.n - 1);
  if (!sameShape) {
    stop(st);
    build(st);
    plotAll(st).catch((e) => { st.notice.textContent = "The charts could not be drawn: " + e.message; st.notice.hidden = false; });
  } else {
    // same charts: new committed run (and grids) — sliders take the committed values
    for (const p of data.live || []) {
      const s = st.sliderEls[p.name];
      if (!s) continue;
      s.p = p;
      if (keepDrag && st.dragging.name === p.name) {
        s.box.classList.toggle("gdi-waiting", !(data.grids[p.name] || [])[st.dragging.index]);
        continue;
      }
      s.box.classList.remove("gdi-waiting");
      s.input.value = p.index;
      s.out.textContent = p.values[p.index];
    }
    if (st.speed.value !== String(st.speedValue)) st.speed.value = String(st.speedValue);
    draw(st);
  }
}

// ---------------------------------------------------------------------------------------------
// Animated GIF of the run, made in the browser from the charts the page shows (no server work).
// Bounded: at most GIF_FRAMES frames (a longer run takes that many, evenly spread, first and last),
// at the chosen size (16:9 by default). An 8-bit colour cube keeps the encoder small and exact
// enough for charts drawn in a few flat colours.
const GIF_FRAMES = 240;

function gifQuantize(rgba) {
  // 6×7×6 colour cube (252 colours) + 4 spare: index = r*42 + g*6 + b
  const n = rgba.length / 4, out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const a = rgba[j + 3] / 255;  // transparent pixels on white
    const r = rgba[j] * a + 255 * (1 - a), g = rgba[j + 1] * a + 255 * (1 - a), b = rgba[j + 2] * a + 255 * (1 - a);
    out[i] = Math.round(r / 51) * 42 + Math.round(g / 42.5) * 6 + Math.round(b / 51);
  }
  return out;
}

function gifPalette() {
  const p = new Uint8Array(256 * 3);
  for (let r = 0; r < 6; r++) for (let g = 0; g < 7; g++) for (let b = 0; b < 6; b++) {
    const i = (r * 42 + g * 6 + b) * 3;
    p[i] = r * 51; p[i + 1] = Math.min(255, Math.round(g * 42.5)); p[i + 2] = b * 51;
  }
  return p;
}

function gifLzw(indices) {
  // GIF's variable-width LZW, 8-bit minimum code size
  const out = [];
  let cur = 0, bits = 0;
  const emit = (code, size) => { cur |= code << bits; bits += size; while (bits >= 8) { out.push(cur & 255); cur >>= 8; bits -= 8; } };
  const clear = 256, end = 257;
  let size = 9, next = 258, dict = new Map();
  emit(clear, size);
  let prefix = indices[0];
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i], key = prefix * 256 + k;
    const hit = dict.get(key);
    if (hit !== undefined) { prefix = hit; continue; }
    emit(prefix, size);
    if (next < 4096) { dict.set(key, next++); if (next > (1 << size) && size < 12) size++; }
    else { emit(clear, size); dict = new Map(); size = 9; next = 258; }
    prefix = k;
  }
  emit(prefix, size);
  emit(end, size);
  if (bits > 0) out.push(cur & 255);
  return out;
}

function gifEncode(frames, w, h, delayCs) {
  const bytes = [];
  const push = (...b) => { for (const x of b) bytes.push(x); };
  const word = (v) => push(v & 255, (v >> 8) & 255);
  for (const c of "GIF89a") bytes.push(c.charCodeAt(0));
  word(w); word(h); push(0xf7, 0, 0);  // global colour table, 256 colours
  for (const x of gifPalette()) bytes.push(x);
  push(0x21, 0xff, 11); for (const c of "NETSCAPE2.0") bytes.push(c.charCodeAt(0)); push(3, 1, 0, 0, 0);  // loop for ever
  for (const f of frames) {
    push(0x21, 0xf9, 4, 0, delayCs & 255, (delayCs >> 8) & 255, 0, 0);
    push(0x2c); word(0); word(0); word(w); word(h); push(0);
    push(8);
    const data = gifLzw(f);
    for (let i = 0; i < data.length; i += 255) { const part = data.slice(i, i + 255); push(part.length); for (const x of part) bytes.push(x); }
    push(0);
  }
  push(0x3b);
  return new Uint8Array(bytes);
}

async function exportGif(st, w, h) {
  if (st.exporting) return;
  st.exporting = true;
  stop(st);
  const keep = st.cursor;
  const n = st.data.base.n;
  // every frame, or GIF_FRAMES of them evenly spread, the first and the last among them
  const count = Math.min(n, GIF_FRAMES);
  const idx = []; for (let k = 0; k < count; k++) idx.push(count === 1 ? 0 : Math.round(k * (n - 1) / (count - 1)));
  const step = Math.max(1, (n - 1) / Math.max(1, count - 1));  // iterations per GIF frame, for its delay
  const charts = st.data.charts.map((c) => st.chartEls[c.id]).filter(Boolean);
  const canvas = document.createElement("canvas"); canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const frames = [];
  try {
    for (let k = 0; k < idx.length; k++) {
      st.gifStatus.textContent = "GIF: frame " + (k + 1) + " of " + idx.length;
      st.gifBar.value = (k + 1) / idx.length;
      st.cursor = idx[k]; draw(st);
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
      // the charts side by side (one chart: the whole picture), each at its share of the width
      const cw = Math.floor(w / charts.length), strip = Math.round(h / 11);
      for (let c = 0; c < charts.length; c++) {
        const url = await Plotly.toImage(charts[c], { format: "png", width: cw, height: h - strip });
        const img = new Image(); img.src = url; await img.decode();
        ctx.drawImage(img, c * cw, strip, cw, h - strip);
      }
      ctx.fillStyle = "#111"; ctx.font = "bold " + Math.round(strip * 0.55) + "px DejaVu Sans, sans-serif";
      ctx.textBaseline = "middle";
      ctx.fillText((st.data.title ? st.data.title + " · " : "") + st.data.unit + " " + (idx[k] + 1) + " of " + n,
                   Math.round(h / 40), Math.round(strip / 2));
      frames.push(gifQuantize(ctx.getImageData(0, 0, w, h).data));
    }
    const delay = Math.max(2, Math.round(100 / Math.min(st.speedValue * step, 50)));
    const blob = new Blob([gifEncode(frames, w, h, delay)], { type: "image/gif" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = (st.data.filename || "gdviz") + ".gif";
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    st.gifStatus.textContent = "GIF: " + idx.length + " frames, " + Math.round(blob.size / 1024) + " KB";
    st.root.setAttribute("data-gif-frames", String(idx.length));
  } catch (e) {
    st.gifStatus.textContent = "The GIF could not be made: " + e.message;
  } finally {
    st.cursor = keep; draw(st);
    st.exporting = false;
  }
}
