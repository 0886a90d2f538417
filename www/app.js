// Page wiring only: controls → worker commands, worker frames → views. No training maths here.
import { Chart, KEPT_DASHES } from "./views/chart.js";
import { HIDEABLE, Lab } from "./views/lab.js";
import { MetricsView } from "./views/metrics.js";
import { Plane } from "./views/plane.js";
import { Presets } from "./views/presets.js";
import { SampleGrid } from "./views/samples.js";
import { Timeline } from "./views/timeline.js";
import { loadLanguage, otherLanguage, t } from "./i18n.js";

/** URL-hash keys that belong to the page rather than to the training settings. */
const PAGE_KEYS = { autostart: ["0", "1"], backend: ["webgpu", "cpu"], lang: ["en", "zh-CN"] };
/** Parts of the page a teacher's link can hide with `hide=` (besides the lab's groups and controls). */
const PAGE_PARTS = {
  presets: ["presets", "preset-outcome"], lab: ["lab"], metrics: ["metrics-figure"], chart: ["chart-figure"],
  explain: ["explain"], timeline: ["timeline"],
};

/** Settings that change the networks or their data: changing one starts a fresh run. */
const RESTART_KEYS = {
  data: (c) => c.data, model: (c) => c.model, conditional: (c) => String(c.conditional),
  latent: (c) => String(c.latent_dim), hidden: (c) => String(c.hidden), seed: (c) => String(c.seed),
};

/** Larger files are refused unread by Open run. */
const MAX_CHECKPOINT_BYTES = 50e6;

const $ = (id) => document.getElementById(id);
const chart = new Chart($("chart"));
const grid = new SampleGrid($("samples"));
const metricsView = new MetricsView($("histogram"), $("metrics"), $("collapse"));
const plane = new Plane($("plane"), (points) => onDrawn(points));
const timeline = new Timeline($("timeline-slider"), $("timeline-step"), $("timeline-live"), (step) => t("timeline_step", { step }));
/** Hands `blob` to the browser as a download called `name`. */
function download(name, blob) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** The settings in force as the shortest query: names the run on screen when it is kept. */
let lastQuery = "";
/** The last frame, painted again when the student leaves the timeline. */
let lastFrame = null;
$("timeline-live").addEventListener("click", () => {
  if (lastFrame && lastFrame.samples) grid.show(lastFrame.samples, lastFrame.side);
  if (lastFrame && lastFrame.plane) plane.show(lastFrame.plane);
});
/** Called with the drawn points after each stroke on the plane (set up in main). */
let onDrawn = () => {};

/** The modes G covers on the ring or the grid, under the plane. */
function showCoverage() {
  const c = status.coverage;
  $("plane-coverage").textContent = c ? t("plane_coverage", { hit: c.modes_hit, modes: c.modes, quality: (100 * c.quality).toFixed(0) }) : "";
}

/** What `window.webgan.status()` reports; the names are a stable contract for scripts and tests.
 * The last step's statistics are added under their own names (loss_d, lr_g, ...). */
const status = {
  running: false, step: 0, backend: "", adapter: "", loss_d: NaN, loss_g: NaN, d_real: NaN, d_fake: NaN,
  error: "", info: "", ready: false, firstStepMs: NaN, stepsPerSecond: 0, notice: "", config: null, frames: 0,
  metrics: null, metricsMs: NaN,
  /** What the run shows: "digits" (the sample grid) or "plane" (a 2-D toy), and for the ring
   * and the grid the modes G covers, `{modes_hit, modes, quality}`. */
  view: "digits", coverage: null,
  /** The last walk through the noise shown: `{pair, step}`. */
  latent: null,
  /** The step of the last automatic save, the step a reload resumed from, GPU devices recovered
   * from, the last divergence ({step, back}) and whether the page is cached for offline use. */
  autosavedStep: -1, resumedFrom: -1, recoveries: 0, diverged: null, offlineReady: false,
  /** The worker's WebAssembly memory in bytes, its live GPU buffers (see bench/soak.mjs) and its
   * compute dispatches so far (see bench/browser.mjs). */
  memory: { wasmBytes: 0, gpuBuffers: 0, gpuDispatches: 0 },
  /** Runs kept on the chart for comparison. */
  keptRuns: 0,
};
window.webgan = { status: () => ({ ...status, curvePoints: chart.points.length }) };
/** After this many lost GPU devices in one visit the run moves to the CPU. */
const MAX_GPU_RECOVERIES = 3;
let columns = ["step"];

function showError(message) {
  status.error = message;
  const box = $("error");
  box.hidden = !message;
  box.textContent = message ? `${t("error_title")} ${message}` : "";
}

function showInfo(message) {
  status.info = message;
  $("info").hidden = !message;
  $("info").textContent = message;
}

/** Splits the URL hash into page options and the settings query the trainer parses. */
function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const page = { autostart: "0", backend: "webgpu", lang: "", hide: [] };
  const problems = [];
  const settings = new URLSearchParams();
  for (const [key, value] of params) {
    if (key === "hide") {
      const names = value.split(",").filter(Boolean);
      const known = [...Object.keys(PAGE_PARTS), ...HIDEABLE];
      const unknown = names.filter((n) => !known.includes(n));
      if (unknown.length) problems.push(`\`hide\` names unknown parts (${unknown.join(", ")}): use ${known.join(", ")}`);
      page.hide = names.filter((n) => known.includes(n));
    } else if (key in PAGE_KEYS) {
      if (PAGE_KEYS[key].includes(value)) page[key] = value;
      else problems.push(`\`${key}\` = "${value}" is not allowed: use one of ${PAGE_KEYS[key].join(", ")}`);
    } else {
      settings.append(key, value);
    }
  }
  return { page, query: settings.toString(), problems };
}

/** Keeps the address bar a link to the current run, for sharing with a class. */
function rememberInHash(query) {
  const params = new URLSearchParams(query);
  const { page } = readHash();
  if (page.backend !== "webgpu") params.set("backend", page.backend);
  if (page.lang) params.set("lang", page.lang);
  if (page.hide.length) params.set("hide", page.hide.join(","));
  // Commas and semicolons need no escaping in a fragment: keep shared links readable.
  history.replaceState(null, "", `#${String(params).replaceAll("%2C", ",").replaceAll("%3B", ";")}`);
}

function renderStatus() {
  const backend = status.backend === "webgpu" ? t("backend_webgpu", { adapter: status.adapter }) : t("backend_cpu");
  const rate = status.stepsPerSecond ? status.stepsPerSecond.toFixed(1) : "–";
  $("status").textContent = `${t("status", { step: status.step, rate, backend })} · ${t(status.running ? "running" : "paused")}`;
  $("train").disabled = !status.ready || status.running;
  $("pause").disabled = !status.ready || !status.running;
  $("step").disabled = !status.ready || status.running;
  $("reset").disabled = !status.ready;
  $("save-run").disabled = !status.ready;
  $("open-run").disabled = !status.ready;
}

function onFrame(m) {
  if (m.rows.length) {
    const last = m.rows.subarray(m.rows.length - columns.length);
    columns.forEach((name, i) => { if (name !== "step") status[name] = last[i]; });
    chart.add(m.rows);
  }
  status.step = m.step;
  if (m.stepsPerSecond) status.stepsPerSecond = m.stepsPerSecond;
  status.running = m.running;
  status.memory = m.memory;
  lastFrame = m;
  // While the student replays the timeline, new pictures are neither painted nor kept.
  if (m.samples && !timeline.scrubbing) grid.show(m.samples, m.side);
  if (m.plane) {
    if (!timeline.scrubbing) plane.show(m.plane);
    status.coverage = JSON.parse(m.plane.coverage);
    showCoverage();
  }
  if (!timeline.scrubbing) timeline.record(m.plane ? $("plane") : $("samples"), m.step);
  status.frames += 1;
}

let drawQueued = false;
function redraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    chart.draw();
    renderStatus();
  });
}

/** What the worker said about a settings change, in the student's language. */
function describeChange(m) {
  const parts = [t("applied", { step: m.step })];
  for (const net of ["g", "d"]) {
    if (m.change[`reset_${net}`]) parts.push(t(`optimizer_reset_${net}`, { kind: t(`option.opt.${m.config[net].kind}`) }));
  }
  return parts.join(" ");
}

/** Makes the page work offline after this first visit (see sw.js); a browser without service
 * workers (or a page opened from a file) simply goes without. */
function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(new URL("../sw.js", import.meta.url)).catch(() => {});
  navigator.serviceWorker.ready.then(() => { status.offlineReady = true; });
}

async function main() {
  const { page, problems } = readHash();
  let worker = null;
  /** Whether the visitor wants the run training: survives a worker restart, unlike `status.running`. */
  let wanted = page.autostart === "1";
  /** Why the GPU device was lost, while a new worker is taking over the run. */
  let recovering = null;
  const send = (message) => worker.postMessage(message);
  /** Forgets the curves and measurements of the run on screen (another run replaces it). */
  const forgetRun = () => {
    chart.clear();
    timeline.clear();
    status.metrics = null;
    metricsView.clear(metricsView.unavailable);
  };
  const restart = (q) => {
    showError("");
    showInfo("");
    forgetRun();
    status.stepsPerSecond = 0;
    send({ type: "reset", query: q });
  };
  /** A changed control: applied to the running networks, or a fresh run where it changes them. */
  const onSettings = (q) => {
    showError("");
    const asked = new URLSearchParams(q);
    if (asked.get("data") === "drawn" && !lab.points.length) {
      // Nothing to train on yet: the plane takes the drawing, and the first stroke starts the run.
      showPlane(true);
      plane.setDrawable(true, []);
      showDrawHint();
      return;
    }
    const changes = Object.entries(RESTART_KEYS).some(([key, get]) => asked.has(key) && asked.get(key) !== get(status.config));
    if (changes) restart(q);
    else send({ type: "config", query: q });
  };
  const lab = new Lab($("settings"), onSettings);
  const showDrawHint = () => {
    $("plane-draw").hidden = !plane.drawable;
    $("plane-draw-hint").textContent = t("plane_draw_hint", { count: plane.drawn.length });
  };
  onDrawn = (points) => {
    lab.points = points;
    showDrawHint();
    if (points.length) restart(lab.query());
  };
  $("clear-drawing").onclick = () => {
    lab.points = [];
    plane.setDrawable(true, []);
    showDrawHint();
  };
  // The walk through the noise: asked for after each frame while its panel is open.
  const WALK_DIGITS = 10;
  let walkPair = 0;
  let walkAsked = false;
  /** A control moved while a walk was on its way: ask again when it arrives. */
  let walkDirty = false;
  const askWalk = () => {
    if (walkAsked || !$("latent-figure").open || status.view !== "digits" || !status.ready) return;
    walkAsked = true;
    const dials = [0, 1, 2].map((i) => Number($(`dial-${i}`).value));
    const digit = Number($("walk-digit").value);
    send({ type: "latent", pair: walkPair, count: WALK_DIGITS, spherical: $("walk-kind").value === "spherical", dials, digit });
  };
  $("latent-figure").addEventListener("toggle", askWalk);
  const walkChanged = () => { walkDirty = walkAsked; askWalk(); };
  $("walk-next").onclick = () => { walkPair += 1; walkChanged(); };
  for (const control of ["walk-kind", "walk-digit", "dial-0", "dial-1", "dial-2"]) $(control).addEventListener("input", walkChanged);
  const paint = (canvas, rgba, width, height) => {
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").putImageData(new ImageData(rgba, width, height), 0, 0);
  };

  /** Shows the plane (a toy run) or the digits and their metrics. */
  const showPlane = (on) => {
    status.view = on ? "plane" : "digits";
    $("plane-figure").hidden = !on;
    $("samples-figure").hidden = on;
    $("latent-figure").hidden = on;
    $("metrics-figure").hidden = on || page.hide.includes("metrics");
  };
  const presets = new Presets($("presets"), $("preset-outcome"), restart);
  await loadLanguage(page.lang);
  metricsView.refresh();
  $("lang").textContent = otherLanguage() === "zh-CN" ? "中文" : "English";
  $("lang").onclick = () => {
    const params = new URLSearchParams(location.hash.slice(1));
    params.set("lang", otherLanguage());
    history.replaceState(null, "", `#${params}`);
    loadLanguage(otherLanguage()).then(() => {
      $("lang").textContent = otherLanguage() === "zh-CN" ? "中文" : "English";
      lab.refresh();
      presets.refresh();
      metricsView.refresh();
      chart.draw();
      showCoverage();
      showDrawHint();
      showKept();
      renderStatus();
    });
  };
  if (problems.length) showError(problems.join("\n"));
  // Teacher mode: hide what the lesson is not about.
  lab.hide(page.hide);
  for (const name of page.hide) for (const id of PAGE_PARTS[name] || []) $(id).hidden = true;

  const progressBox = $("progress");

  const onMessage = ({ data: m }) => {
    switch (m.type) {
      case "progress":
        progressBox.hidden = false;
        progressBox.querySelector(".bar").style.width = `${Math.round(m.fraction * 100)}%`;
        progressBox.querySelector(".text").textContent = t(m.key);
        break;
      case "ready":
        Object.assign(status, { ready: true, backend: m.backend, adapter: m.adapter, firstStepMs: m.firstStepMs });
        status.notice = m.notice ? t("cpu_fallback", { why: m.notice }) : "";
        progressBox.hidden = true;
        $("notice").hidden = !status.notice;
        $("notice").textContent = status.notice;
        columns = m.columns;
        chart.setColumns(columns);
        presets.show(m.presets);
        if (wanted) {
          status.running = true;
          send({ type: "run" });
        }
        break;
      case "frame":
        if (recovering !== null) showInfo(t("device_lost_no_save", { detail: recovering })); // nothing was resumed
        recovering = null;
        onFrame(m);
        askWalk();
        break;
      case "latent":
        walkAsked = false;
        status.latent = { pair: m.pair, step: m.step };
        paint($("walk"), m.walk, m.width, m.height);
        paint($("dial"), m.dial, 28, 28);
        if (walkDirty) {
          walkDirty = false;
          askWalk();
        }
        break;
      case "history":
        chart.clear();
        timeline.clear();
        chart.add(m.rows);
        for (let i = 0; i + 1 < m.fid.length; i += 2) chart.addSparse("fid", m.fid[i], m.fid[i + 1]);
        break;
      case "metrics":
        Object.assign(status, { metrics: m.metrics, metricsMs: m.costMs });
        metricsView.show(m.metrics);
        chart.addSparse("fid", m.metrics.step, m.metrics.fid);
        break;
      case "metrics_unavailable":
        metricsView.clear(t(m.key, m.values));
        break;
      case "config":
        walkAsked = false; // a walk asked of the previous settings may have been skipped
        status.config = m.config;
        lab.show(m.config);
        showPlane(m.config.data !== "mnist");
        $("walk-digit-label").hidden = !m.config.conditional;
        $("samples-caption").dataset.i18n = m.config.conditional ? "samples_caption_conditional" : "samples_caption";
        $("samples-caption").textContent = t($("samples-caption").dataset.i18n);
        plane.setData(m.real, m.config.loss.startsWith("wgan"));
        plane.setDrawable(m.config.data === "drawn", m.config.points);
        if (m.config.data === "mnist") status.coverage = null;
        showDrawHint();
        chart.showWasserstein(m.config.loss.startsWith("wgan"));
        rememberInHash(m.query);
        lastQuery = m.query;
        if (m.change) showInfo(describeChange(m));
        break;
      case "checkpoint":
        // A download of the run, named by its step, in the format the command line reads too.
        download(`webgan-step-${m.step}.ckpt`, new Blob([m.bytes], { type: "application/octet-stream" }));
        break;
      case "opened":
        forgetRun();
        showError("");
        showInfo(t("run_opened", { step: m.step }));
        break;
      case "resumed":
        status.resumedFrom = m.step;
        if (recovering !== null) showInfo(t("device_lost", { detail: recovering, step: m.step }));
        else showInfo(t("run_resumed", { step: m.step, time: new Date(m.savedAt).toLocaleString(document.documentElement.lang) }));
        recovering = null;
        break;
      case "autosaved":
        status.autosavedStep = m.step;
        break;
      case "autosave_unavailable":
        showInfo(t("autosave_unavailable", { detail: m.detail }));
        break;
      case "diverged":
        status.running = wanted = false;
        status.diverged = { step: m.step, back: m.back };
        showError(t("diverged", { step: m.step, back: m.back }));
        break;
      case "device_lost":
        recover(m.detail);
        break;
      case "error":
        walkAsked = false;
        if (m.stopped) status.running = false;
        if (m.fatal) progressBox.hidden = true;
        showError(t(m.key, m.values));
        break;
    }
    redraw();
  };

  /** Starts a training worker: on the page's backend, or on the CPU once the GPU has been lost
   * too often. It resumes the run saved under the settings in the address bar, if any. */
  const startWorker = () => {
    worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
    worker.onmessage = onMessage;
    worker.onerror = (e) => {
      showError(e.message || t("worker_failed"));
      redraw();
    };
    const backend = status.recoveries >= MAX_GPU_RECOVERIES ? "cpu" : page.backend;
    send({ type: "init", query: readHash().query, backend });
  };

  /** The GPU device was lost: a new worker gets a new device and resumes from the last save;
   * a run that was training goes on training. */
  const recover = (why) => {
    worker.terminate();
    status.recoveries += 1;
    status.ready = false;
    recovering = why;
    showError("");
    showInfo("");
    startWorker();
  };
  window.webgan.loseGpuDevice = () => send({ type: "lose_device" });

  $("train").onclick = () => { showError(""); status.running = wanted = true; send({ type: "run" }); redraw(); };
  $("pause").onclick = () => { status.running = wanted = false; send({ type: "pause" }); redraw(); };
  $("step").onclick = () => { showError(""); send({ type: "step" }); };
  $("reset").onclick = () => restart(lab.query());
  $("save-run").onclick = () => send({ type: "save" });

  // Compare runs: keep the curves on screen, then draw later runs beside them; download all.
  const runName = () => lastQuery.replaceAll("&", " ") || t("run_defaults");
  const showKept = () => {
    const list = $("kept-runs");
    list.replaceChildren(...chart.kept.map((run, k) => {
      const item = document.createElement("li");
      const dash = document.createElement("span");
      dash.className = "dash";
      dash.textContent = KEPT_DASHES[k].map((n) => "─".repeat(Math.max(1, Math.round(n / 2)))).join(" ");
      const stepAt = run.columns.indexOf("step");
      const step = run.points.length ? run.points[run.points.length - 1][stepAt] : 0;
      item.append(dash, t("kept_run", { name: run.name, step }));
      return item;
    }));
    list.title = t("kept_hint");
    $("clear-kept").hidden = !chart.kept.length;
    status.keptRuns = chart.kept.length;
  };
  $("keep-run").onclick = () => { chart.keep(runName(), status.config); showKept(); };
  $("clear-kept").onclick = () => { chart.clearKept(); showKept(); };
  $("download-csv").onclick = () => download("webgan-curves.csv", new Blob([chart.csv(runName())], { type: "text/csv" }));
  $("download-json").onclick = () => {
    const runs = [{ name: runName(), config: status.config }, ...chart.kept.map((r) => ({ name: r.name, config: r.config }))];
    download("webgan-settings.json", new Blob([JSON.stringify({ runs }, null, 2)], { type: "application/json" }));
  };
  $("download-png").onclick = () =>
    $(status.view === "plane" ? "plane" : "samples").toBlob((blob) => download(`webgan-step-${status.step}.png`, blob));
  $("open-run").onchange = async (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    // Checkpoints of these networks are a few MB; a huge file is not one, so it is never read.
    if (file.size > MAX_CHECKPOINT_BYTES) showError(t("file_too_large", { name: file.name, mb: MAX_CHECKPOINT_BYTES / 1e6 }));
    else send({ type: "open", bytes: await file.arrayBuffer() });
  };
  // The address bar always holds the link to the run on screen (settings, seed, language, hidden parts).
  $("copy-link").onclick = () =>
    navigator.clipboard.writeText(location.href).then(
      () => showInfo(t("link_copied")),
      () => showInfo(t("link_copy_failed", { link: location.href })),
    );
  document.addEventListener("keydown", (e) => {
    if (e.target.closest && e.target.closest("input, textarea, select")) return;
    if (e.key === " ") { e.preventDefault(); (status.running ? $("pause") : $("train")).click(); }
    if (e.key === "s" && !status.running) $("step").click();
  });

  renderStatus();
  registerServiceWorker();
  startWorker();
}

main().catch((e) => showError(e.message));
