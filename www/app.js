// Page wiring only: controls → worker commands, worker frames → views. No training maths here.
import { Bench } from "./views/bench.js";
import { Chart, KEPT_DASHES } from "./views/chart.js";
import { Feedback } from "./views/feedback.js";
import { Lab } from "./views/lab.js";
import { LessonView } from "./views/lesson.js";
import { CopyingView } from "./views/copying.js";
import { InsightView } from "./views/insight.js";
import { MetricsView } from "./views/metrics.js";
import { Plane } from "./views/plane.js";
import { Presets } from "./views/presets.js";
import { SampleGrid, enlarged, paint } from "./views/samples.js";
import { TeacherPanel } from "./views/teacher.js";
import { Timeline } from "./views/timeline.js";
import { describe, loadLanguage, otherLanguage, t } from "./i18n.js";

// Tables keyed by names from the link are Maps: a plain object would answer to `constructor`
// or `__proto__` with what every object inherits.
/** URL-hash keys that belong to the page rather than to the training settings. */
const PAGE_KEYS = new Map([
  ["autostart", ["0", "1"]], ["backend", ["webgpu", "cpu"]], ["lang", ["en", "zh-CN"]], ["bench", ["0", "1"]], ["embed", ["0", "1"]],
  // Whether a GPU fuses operations (on unless the link says off: for measuring what fusion gives).
  ["fusion", ["on", "off"]],
]);
/** The elements of the page's part `name` (index.html marks them with `data-part`; the trainer
 * names the parts a link may hide). @param {string} name @returns {HTMLElement[]} */
const partOf = (name) => [...document.querySelectorAll("[data-part]")].filter((e) => e instanceof HTMLElement).filter((e) => e.dataset.part === name);

/** The element of index.html with id `id`. Its kind (a button, an input, a canvas, a details
 * element, ...) is index.html's to say, which the type check cannot see: hence `any`.
 * @param {string} id
 * @returns {any} */
const $ = (id) => document.getElementById(id);
const chart = new Chart($("chart"), { smoothing: $("chart-smoothing"), smoothingValue: $("chart-smoothing-value"), zoomOut: $("chart-zoom-out") });
const grid = new SampleGrid($("samples"));
const metricsView = new MetricsView($("histogram"), $("metrics"), $("collapse"));
const insight = new InsightView($("insight-figure"), $("saliency"), $("saliency-verdicts"));
const copying = new CopyingView($("copying-figure"), $("neighbours"), $("neighbours-features"), $("neighbours-pixels"), $("copying-summary"));
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

/** The last frame, painted again when the student leaves the timeline.
 * @type {{samples: Uint8ClampedArray | null, side: number, plane: object | null} | null} */
let lastFrame = null;
$("timeline-live").addEventListener("click", () => {
  if (lastFrame && lastFrame.samples) grid.show(lastFrame.samples, lastFrame.side);
  if (lastFrame && lastFrame.plane) plane.show(lastFrame.plane);
});
/** Called with the drawn points after each stroke on the plane (set up in main).
 * @type {(points: number[][]) => void} */
let onDrawn = () => {};

/** The modes G covers on the ring or the grid, under the plane. */
function showCoverage() {
  const c = status.coverage;
  $("plane-coverage").textContent = c ? t("plane_coverage", { hit: c.modes_hit, modes: c.modes, quality: (100 * c.quality).toFixed(0) }) : "";
}

/** What `window.webgan.status()` reports; the names are a stable contract for scripts and tests.
 * The last step's statistics are added under their own names (loss_d, lr_g, ...). */
const status = {
  running: false, step: 0, backend: "", adapter: "", fused: false, loss_d: NaN, loss_g: NaN, d_real: NaN, d_fake: NaN,
  error: "", info: "", ready: false, firstStepMs: NaN, stepsPerSecond: 0, notice: "", config: null, frames: 0,
  metrics: null, metricsMs: NaN,
  /** What D saw at the last measurement: `{step, verdicts}` (grid digits, then the real one). */
  saliency: /** @type {{step: number, verdicts: number[]} | null} */ (null),
  /** While the trainer starts, what it is doing (an i18n key, e.g. "loading_data", "warming");
   * "" once it runs, "stopped" after repeated crashes. The status line says this, and names no
   * backend, until the trainer is ready. */
  phase: "loading_wasm",
  /** The settings in force as the shortest query (the autosave's key; names the run when kept). */
  query: "",
  /** What the run shows: "digits" (the sample grid) or "plane" (a 2-D toy), and for the ring
   * and the grid the modes G covers, `{modes_hit, modes, quality}`. */
  view: "digits", coverage: /** @type {{modes_hit: number, modes: number, quality: number} | null} */ (null),
  /** The last walk through the noise shown: `{pair, step}`. */
  latent: /** @type {{pair: number, step: number} | null} */ (null),
  /** The step of the last automatic save, the step a reload resumed from, GPU devices recovered
   * from, workers that crashed (a trap), the last divergence ({step, back}) of the run on screen
   * and whether the page is cached for offline use, and whether a newer build is cached and waits
   * for a reload. */
  autosavedStep: -1, resumedFrom: -1, recoveries: 0, crashes: 0, diverged: /** @type {{step: number, back: number} | null} */ (null), offlineReady: false, updateReady: false,
  /** The worker's WebAssembly memory in bytes, its live GPU buffers (see bench/soak.mjs) and its
   * compute dispatches so far (see bench/browser.mjs). */
  memory: { wasmBytes: 0, gpuBuffers: 0, gpuDispatches: 0 },
  /** Runs kept on the chart for comparison. */
  keptRuns: 0,
  /** Why the trainer chose the CPU over this adapter's WebGPU (an i18n key), or "". */
  backendReason: "",
  /** The lab's controls whose typed text the trainer refused, with its words: `{key: message}`. */
  invalid: /** @type {Record<string, string>} */ ({}),
  /** The lesson on screen: `{id, stage, stages, reached}` (stage from 1; id "" for a file), or null. */
  lesson: /** @type {{id: string, stage: number, stages: number, reached: boolean} | null} */ (null),
};
window.webgan = {
  status: () => ({ ...status, curvePoints: chart.steps().length }),
  /** The steps of the chart's points for the run on screen, oldest first. */
  curveSteps: () => chart.steps(),
};
/** After this many lost GPU devices in one visit the run moves to the CPU. */
const MAX_GPU_RECOVERIES = 3;
/** After this many crashed workers with no run saved in between the page stops starting new ones. */
const MAX_CRASHES_IN_A_ROW = 3;
let columns = ["step"];

/** The problems in the error box, one a line, until the visitor's next action clears them: one
 * problem never hides another (a link can hold several). Kept as messages (see `describe`), so
 * that a change of language words them again. */
let errors = [];

function paintErrors() {
  status.error = errors.map(describe).join("\n");
  const box = $("error");
  box.hidden = !errors.length;
  box.textContent = errors.length ? `${t("error_title")} ${status.error}` : "";
}

/** Shows `message`: a message (`{key, values}` of the page's, `{key, args}` of the trainer's) or text. */
function showError(message) {
  if (!errors.some((shown) => describe(shown) === describe(message))) errors.push(message);
  paintErrors();
}

function clearErrors() {
  errors = [];
  paintErrors();
}

const feedback = new Feedback();
/** Says `message` beside the control that caused it: in `slot` (a `p.feedback`), under `anchor`;
 * by default under the training controls at the top. "" takes the last message away. */
function showInfo(message, anchor = $("status"), slot = $("controls-feedback")) {
  status.info = message;
  if (message) feedback.say(slot, anchor, message);
  else feedback.clear();
}

/** The lab's groups and controls, which `hide=` may name too: known once the worker has handed
 * over the trainer's settings schema (null until then, when every name is taken as given).
 * @type {string[] | null} */
let hideableSettings = null;
/** The parts of the page `hide=` may name, from the trainer with its schema.
 * @type {string[]} */
let pageParts = [];

/** Splits the URL hash into page options and the settings query the trainer parses. The
 * problems found are i18n keys with their values, worded once the language is known. Repeated
 * `hide=` keys add up, as a teacher writing a link one part at a time means. */
function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  // With no backend named the trainer chooses by the adapter ("auto", src/device/mod.rs).
  const page = { autostart: "0", backend: "auto", fusion: "", lang: "", bench: "0", embed: "0", hide: /** @type {string[]} */ ([]), lesson: "", stage: "" };
  const problems = [];
  const settings = new URLSearchParams();
  const known = hideableSettings && [...pageParts, ...hideableSettings];
  for (const [key, value] of params) {
    if (key === "hide") {
      const names = value.split(",").filter(Boolean);
      const unknown = known ? names.filter((n) => !known.includes(n)) : [];
      if (known && unknown.length) problems.push({ key: "link_unknown_parts", values: { unknown: unknown.join(", "), known: known.join(", ") } });
      page.hide.push(...names.filter((n) => !unknown.includes(n) && !page.hide.includes(n)));
    } else if (key === "lesson" || key === "stage") {
      page[key] = value; // a shipped lesson's name (its file says whether there is one) and its stage
    } else if (PAGE_KEYS.has(key)) {
      const allowed = /** @type {string[]} */ (PAGE_KEYS.get(key)); // it has the key
      if (allowed.includes(value)) page[key] = value;
      else problems.push({ key: "link_value_not_allowed", values: { key, value, allowed: allowed.join(", ") } });
    } else {
      settings.append(key, value);
    }
  }
  return { page, query: settings.toString(), problems };
}

/** A link's hash: the trainer's settings `query` (its own shortest form), then the page's keys. */
function linkHash(query, { backend = "auto", fusion = "", lang = "", hide = /** @type {string[]} */ ([]), autostart = false, embed = false, lesson = "", stage = "" } = {}) {
  const params = new URLSearchParams(query);
  if (backend !== "auto") params.set("backend", backend);
  if (fusion) params.set("fusion", fusion);
  if (lang) params.set("lang", lang);
  if (hide.length) params.set("hide", hide.join(","));
  if (autostart) params.set("autostart", "1");
  if (embed) params.set("embed", "1");
  if (lesson) params.set("lesson", lesson);
  if (lesson && stage) params.set("stage", stage);
  // Commas and semicolons need no escaping in a fragment: keep shared links readable.
  return String(params).replaceAll("%2C", ",").replaceAll("%3B", ";");
}

/** Keeps the address bar a link to the current run, for sharing with a class. */
function rememberInHash(query) {
  const { page } = readHash();
  history.replaceState(null, "", `#${linkHash(query, { ...page, autostart: false, embed: page.embed === "1" })}`);
}

/** The training speed in words: steps per second, or seconds per step once a step takes longer
 * than a second (a slow device would otherwise read "0.0 steps/s"). */
function rateText(perSecond) {
  if (!perSecond) return t("rate_unknown");
  if (perSecond >= 1) return t("rate_steps", { rate: perSecond.toFixed(1) });
  return t("rate_seconds", { seconds: (1 / perSecond).toPrecision(2) });
}

/** Sets `element`'s text only when it changes: a live region announces every write. */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/** How long the training state must hold before the live region says it: a frame still on its
 * way from before Train or Pause would otherwise make it say "paused, training" in a breath. */
const ANNOUNCE_AFTER_MS = 500;
let announcing = 0;
/** Whether the live status says a training state (rather than what is loading). */
let stateSaid = false;
/** Says `text` in the live status: at once when the trainer has just become ready, else once it
 * has held for ANNOUNCE_AFTER_MS. */
function announce(text) {
  clearTimeout(announcing);
  if (!stateSaid) setText($("status-state"), text);
  else if ($("status-state").textContent !== text) announcing = setTimeout(() => setText($("status-state"), text), ANNOUNCE_AFTER_MS);
  stateSaid = true;
}

/** Train, Pause and Step as the run is; `redraw` shows them at once, not at the next animation
 * frame, so that Train works the moment Pause was pressed. */
function renderRunButtons() {
  $("train").disabled = !status.ready || status.running;
  $("pause").disabled = !status.ready || !status.running;
  $("step").disabled = !status.ready || status.running;
}

function renderStatus() {
  // The step and the rate change with every frame and are not announced; the backend and
  // whether the run trains are, when they change.
  if (status.ready) {
    const backend = status.backend === "webgpu" ? t("backend_webgpu", { adapter: status.adapter }) : t("backend_cpu");
    setText($("status-counter"), `${t("status_counter", { step: status.step, rate: rateText(status.stepsPerSecond) })} · `);
    announce(`${backend} · ${t(status.running ? "running" : "paused")}`);
  } else {
    clearTimeout(announcing);
    stateSaid = false;
    setText($("status-counter"), "");
    setText($("status-state"), t(status.phase));
  }
  renderRunButtons();
  $("reset").disabled = !status.ready;
  $("save-run").disabled = !status.ready;
  $("open-run").disabled = !status.ready;
}

/** Puts the statistics of the last of `rows` (as the trainer reports them) into the status
 * under their own names (loss_d, lr_g, ...); NaN for every one when `rows` is empty. */
function showLastStats(rows) {
  const last = rows.length ? rows.subarray(rows.length - columns.length) : null;
  columns.forEach((name, i) => { if (name !== "step") status[name] = last ? last[i] : NaN; });
}

/** Shows a frame; `current`: whether it was posted after the page's last Train or Pause, so
 * that it says whether the run is training. */
function onFrame(m, current) {
  if (m.rows.length) showLastStats(m.rows);
  chart.show(m.curves);
  status.step = m.step;
  if (m.stepsPerSecond) status.stepsPerSecond = m.stepsPerSecond;
  if (current) status.running = m.running;
  status.memory = m.memory;
  lastFrame = m;
  // While the student replays the timeline, new pictures are neither painted nor kept.
  if (m.samples && !timeline.scrubbing) {
    grid.show(m.samples, m.side);
    $("samples-waiting").hidden = true;
  }
  if (m.plane) {
    if (!timeline.scrubbing) plane.show(m.plane);
    status.coverage = m.plane.coverage;
    showCoverage();
  }
  if (!timeline.scrubbing) timeline.record(m.plane ? $("plane") : $("samples"), m.step);
  status.frames += 1;
}

let drawQueued = false;
/** Shows the state of the page: the run buttons at once (a press takes effect before the next
 * animation frame), the rest at the next animation frame. */
function redraw() {
  renderRunButtons();
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

/** How often a page left open asks the host for a new build (each visit asks as well). */
const UPDATE_CHECK_MS = 10 * 60_000;

let serviceWorkerRegistered = false;
/** Makes the page open and train offline after this first visit, from a cache that holds each
 * file of the build once (see sw.js), and offers a new build once it is downloaded instead of
 * swapping it under a running lesson: the reload button does that. Called when the worker is
 * ready, so that on a first visit what it downloaded is in the cache, where the service worker's
 * install finds it. A browser without service workers (or a page opened from a file) goes without. */
function registerServiceWorker() {
  if (serviceWorkerRegistered || !("serviceWorker" in navigator)) return;
  serviceWorkerRegistered = true;
  const container = navigator.serviceWorker;
  /** Whether a service worker serves this page's build: only then is another build news. */
  let controlled = Boolean(container.controller);
  let reloading = false;
  const offer = () => {
    status.updateReady = true;
    $("update").hidden = false;
  };
  container.register(new URL("../sw.js", import.meta.url), { updateViaCache: "none" }).then((registration) => {
    const offerWaiting = () => { if (registration.waiting && controlled) offer(); };
    const watch = (incoming) => incoming?.addEventListener("statechange", () => { if (incoming.state === "installed") offerWaiting(); });
    offerWaiting();
    watch(registration.installing);
    registration.addEventListener("updatefound", () => watch(registration.installing));
    setInterval(() => registration.update().catch(() => {}), UPDATE_CHECK_MS);
    $("update-reload").onclick = () => {
      reloading = true;
      if (registration.waiting) registration.waiting.postMessage("activate");
      else location.reload();
    };
  }, () => {});
  // Another build took over: at this page's request (reload into it) or another tab's (offer it).
  container.addEventListener("controllerchange", () => {
    if (reloading) location.reload();
    else if (controlled) offer();
    controlled = true;
  });
  container.ready.then(() => { status.offlineReady = true; });
}

async function main() {
  const { page, problems } = readHash();
  // Embedded in a course page: the digits, the chart and the controls the link allows (style.css).
  document.body.classList.toggle("embed", page.embed === "1");
  /** @type {Worker | null} */
  let worker = null;
  /** The settings query the worker on duty was started with. */
  let startedWith = "";
  /** Whether the visitor wants the run training: survives a worker restart, unlike `status.running`. */
  let wanted = page.autostart === "1";
  /** While a new worker takes over the run: why (`key` names the message, `detail` the cause).
   * @type {{key: string, detail: string} | null} */
  let recovering = null;
  /** Workers that crashed since a run was last saved. */
  let crashesInARow = 0;
  const send = (message) => worker?.postMessage(message);
  /** Train and Pause are numbered, and the worker's frames carry the number of the last one it
   * carried out: a frame posted before a press cannot undo the press on screen (a Train pressed
   * just after Pause would otherwise find its button disabled by a frame still saying
   * "running"). */
  let pressed = 0;
  const runWorker = (until) => {
    status.running = true;
    redraw();
    send({ type: "run", until, pressed: ++pressed });
  };
  const pauseWorker = () => {
    status.running = false;
    redraw();
    send({ type: "pause", pressed: ++pressed });
  };
  /** Forgets what the page shows of the run on screen: another run replaces it (a reset, a file
   * opened, a save resumed, a new worker). */
  const forgetRun = () => {
    chart.clear();
    timeline.clear();
    status.metrics = null;
    metricsView.clear(metricsView.unavailable);
    insight.clear();
    copying.clear();
    status.saliency = null;
    Object.assign(status, { diverged: null, stepsPerSecond: 0, coverage: null });
    showLastStats([]);
  };
  /** Asks for a fresh run with settings `q`; the run on screen stays until the worker takes them. */
  const restart = (q) => {
    clearErrors();
    showInfo("");
    send({ type: "reset", query: q });
  };
  /** A changed control: the worker applies it to the running networks, or starts a fresh run
   * where it changes them. */
  const onSettings = (q) => {
    clearErrors();
    if (new URLSearchParams(q).get("data") === "drawn" && !lab.points.length) {
      // Nothing to train on yet: the plane takes the drawing, and the first stroke starts the run.
      showPlane(true);
      plane.setDrawable(true, []);
      showDrawHint();
      lab.pending = null; // nothing was sent, so no answer comes
      return;
    }
    showInfo("");
    send({ type: "config", query: q });
  };
  const lab = new Lab($("settings"), onSettings);
  /** Copies `link` and says so beside `button`, in `slot`. */
  const copyLink = (link, button, slot, copied = "link_copied") =>
    navigator.clipboard.writeText(link).then(
      () => showInfo(t(copied), button, slot),
      () => showInfo(t("link_copy_failed", { link }), button, slot),
    );
  const teacher = new TeacherPanel($, {
    compose: linkHash,
    copy: (link, button) => copyLink(link, button, $("teacher-feedback"), "teacher_copied"),
  });
  /** The lab's refused texts, for scripts and tests. */
  const noteInvalid = () => { status.invalid = Object.fromEntries(lab.invalid); };
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

  /** Shows the plane (a toy run) or the digits and their metrics. */
  const showPlane = (on) => {
    status.view = on ? "plane" : "digits";
    $("plane-figure").hidden = !on;
    $("samples-figure").hidden = on;
    $("latent-figure").hidden = on;
    $("metrics-figure").hidden = on || page.hide.includes("metrics");
    insight.setDigits(!on && !page.hide.includes("metrics"));
    copying.setDigits(!on && !page.hide.includes("metrics"));
    // The three lines of orientation speak of digits: a toy's plane has its own caption.
    $("orientation").hidden = on || page.hide.includes("orientation");
  };
  const presets = new Presets($("presets"), $("preset-outcome"), restart);
  await loadLanguage(page.lang);
  metricsView.refresh();
  chart.draw(); // its placeholder, in the reader's language
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
      insight.refresh();
      copying.refresh();
      chart.draw();
      showCoverage();
      showDrawHint();
      showKept();
      showNotice();
      paintErrors();
      bench.paint();
      teacher.paint();
      lessonView.paint();
      renderStatus();
    });
  };
  for (const problem of problems) showError(problem);
  // Teacher mode: hide what the lesson is not about.
  lab.hide(page.hide);
  for (const name of page.hide) for (const element of partOf(name)) element.hidden = true;

  // A lesson (views/lesson.js): each stage starts a fresh run of its settings, hides what it is
  // not about besides what the link hides, and pauses at its last step; the link names the
  // shipped lesson and the stage, so a reload or a shared link opens the same stage.
  let lessonId = page.lesson;
  const showLesson = () => {
    const { lesson, index, reached } = lessonView;
    status.lesson = lesson && { id: lessonId, stage: index + 1, stages: lesson.stages.length, reached };
  };
  const hideForLesson = (names) => {
    lab.hide([...page.hide, ...names]);
    for (const element of document.querySelectorAll("[data-part]")) {
      element.classList.toggle("lesson-hidden", names.includes(/** @type {HTMLElement} */ (element).dataset.part));
    }
  };
  const lessonInHash = (stage) => {
    const params = new URLSearchParams(location.hash.slice(1));
    params.delete("lesson");
    params.delete("stage");
    if (lessonId && stage) params.set("lesson", lessonId);
    if (lessonId && stage) params.set("stage", String(stage));
    history.replaceState(null, "", `#${params}`);
  };
  const lessonView = new LessonView($, {
    onStage: (stage, index) => {
      hideForLesson(stage.hide);
      lessonInHash(index + 1);
      pauseWorker(); // so that no step of the old run counts towards the new stage
      restart(stage.query);
      wanted = true;
      runWorker(stage.steps);
      showLesson();
      redraw();
    },
    onLeave: () => {
      hideForLesson([]);
      lessonInHash(0);
      lessonId = "";
      showLesson();
    },
  });
  /** The step a run pauses at while a lesson's stage has not reached it: Train, a new worker
   * or the end of "Check this computer" carries a stage's run on only to its end. */
  const lessonEnd = () => (lessonView.stage && !lessonView.reached ? lessonView.stage.steps : undefined);
  /** Asks for the shipped lesson `id` (www/lessons/<id>.json), which the trainer then checks. */
  const openShippedLesson = async (id) => {
    const response = await fetch(new URL(`lessons/${encodeURIComponent(id)}.json`, import.meta.url)).catch(() => null);
    if (!response?.ok) return showError(t("lesson_missing", { id, status: response?.status ?? 0 }));
    send({ type: "lesson", text: await response.text(), id });
  };
  $("open-lesson").onchange = (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    clearErrors();
    send({ type: "lesson", file }); // the trainer reads no more of it than a lesson may hold
  };

  const progressBox = $("progress");
  /** The notice about the backend, in the reader's language (set when the trainer is ready). */
  let noticeText = () => "";
  const showNotice = () => {
    status.notice = noticeText();
    $("notice").hidden = !status.notice;
    $("notice").textContent = status.notice;
  };
  const bench = new Bench($, { t, rateText, download, workerUrl: new URL("worker.js", import.meta.url) });
  /** "Check this computer": the run on screen pauses while the benchmark measures (they would
   * share the processor) and goes on after it; the benchmark's own worker touches no saved run. */
  const checkComputer = async (seconds) => {
    const resume = status.running;
    if (resume) pauseWorker();
    try {
      return await bench.run(seconds);
    } finally {
      if (resume && wanted) runWorker(lessonEnd());
      redraw();
    }
  };
  $("bench-run").onclick = () => checkComputer().catch(() => {}); // the panel says what failed
  window.webgan.benchmark = (options = {}) => checkComputer(options.seconds);
  let benchAsked = page.bench === "1";

  const onMessage = ({ data: m }) => {
    switch (m.type) {
      case "progress":
        if (!status.ready) status.phase = m.key;
        progressBox.hidden = false;
        progressBox.querySelector(".bar").style.width = `${Math.round(m.fraction * 100)}%`;
        progressBox.querySelector(".text").textContent = t(m.key);
        break;
      case "schema":
        // The trainer's settings and limits, from the first worker on: the lab is built from
        // them, and the link's `hide=` names can now be checked against its groups and controls.
        if (hideableSettings) break;
        lab.build(m.schema);
        plane.limit(m.constants.max_drawn, m.constants.point_decimals);
        metricsView.setConstants(m.constants);
        hideableSettings = lab.hideable;
        pageParts = m.constants.page_parts;
        // For scripts and tests: the schema the lab was built from.
        /** @type {any} */ (window.webgan).settingsSchema = () => structuredClone(m.schema);
        {
          const { page: named, problems: unknown } = readHash();
          for (const problem of unknown.filter((p) => p.key === "link_unknown_parts")) showError(problem);
          lab.hide(named.hide);
          teacher.build(pageParts, lab.groups, lab.controls(), named.hide);
        }
        break;
      case "ready":
        registerServiceWorker(); // not sooner: see there
        Object.assign(status, { ready: true, phase: "", backend: m.backend, adapter: m.adapter, fused: m.fused, firstStepMs: m.firstStepMs });
        {
          // Why the run is on the CPU: the trainer's choice for a software adapter, or no usable WebGPU.
          const reason = m.reason;
          status.backendReason = reason ? reason.key : "";
          noticeText = () => (reason ? t(reason.key, reason.values) : m.notice ? t("cpu_fallback", { why: m.notice }) : "");
        }
        showNotice();
        progressBox.hidden = true;
        columns = m.columns;
        chart.setColumns(columns, m.measuredColumns);
        presets.show(m.presets);
        presets.recognise(status.query);
        teacher.setPresets(m.presets);
        if (lessonId && !lessonView.lesson) openShippedLesson(lessonId);
        if (wanted) runWorker(lessonEnd());
        if (benchAsked) {
          benchAsked = false; // once per visit, not after a worker is replaced
          // The link asked for the check: it is shown as it starts and again with its report, since
          // the lab filled in above it meanwhile.
          $("bench").scrollIntoView();
          checkComputer().catch(() => {}).finally(() => $("bench").scrollIntoView());
        }
        break;
      case "frame":
        // The first frame of a new worker that resumed nothing: the run starts again from its seed.
        if (recovering) showInfo(t(`${recovering.key}_no_save`, { detail: recovering.detail }));
        recovering = null;
        onFrame(m, m.pressed === pressed);
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
        // The worker's run replaced the one on screen: its curves so far (none for a fresh run).
        // A change that needed a fresh run was taken.
        lab.settle();
        noteInvalid();
        forgetRun();
        chart.show(m);
        showLastStats(m.rows);
        break;
      case "metrics":
        Object.assign(status, { metrics: m.metrics, metricsMs: m.costMs });
        metricsView.show(m.metrics);
        insight.show(m.metrics.saliency ?? null);
        copying.show(m.metrics);
        if (m.metrics.saliency) status.saliency = { step: m.metrics.step, verdicts: [...m.metrics.saliency.verdicts] };
        chart.show(m.curves);
        break;
      case "metrics_unavailable":
        metricsView.clear(t(m.key, m.values));
        break;
      case "features_unavailable":
        copying.unavailable(m.key, m.values);
        break;
      case "config":
        walkAsked = false; // a walk asked of the previous settings may have been skipped
        status.config = m.config;
        lab.show(m.config, m.relevant);
        $("settings").hidden = false; // shown only once it holds the settings in force
        showPlane(m.toy);
        $("walk-digit-label").hidden = !m.config.conditional;
        $("samples-caption").dataset.i18n = m.config.conditional ? "samples_caption_conditional" : "samples_caption";
        $("samples-caption").textContent = t($("samples-caption").dataset.i18n);
        plane.setData(m.real, m.wasserstein);
        plane.setDrawable(m.drawn, m.config.points);
        if (!m.toy) status.coverage = null;
        showDrawHint();
        chart.showWasserstein(m.wasserstein);
        rememberInHash(m.query);
        status.query = m.query;
        presets.recognise(m.query);
        teacher.setCurrent(m.query);
        if (m.change) {
          // Confirmed under the control that was changed.
          const place = lab.settle();
          noteInvalid();
          showInfo(describeChange(m), place?.anchor, place?.slot);
        }
        showKept();
        break;
      case "lesson":
        lessonId = m.id;
        clearErrors();
        lessonView.open(m.lesson, m.id ? Number(readHash().page.stage) - 1 : 0);
        break;
      case "reached":
        // The stage's run paused at its last step (unless Train was pressed since).
        if (m.pressed === pressed) status.running = wanted = false;
        if (lessonView.lesson) lessonView.reach();
        showLesson();
        break;
      case "checkpoint":
        // A download of the run, named by its step, in the format the command line reads too.
        download(`webgan-step-${m.step}.ckpt`, new Blob([m.bytes], { type: "application/octet-stream" }));
        break;
      case "opened":
        clearErrors();
        showInfo(t("run_opened", { step: m.step }), $("open-run-label"));
        break;
      case "resumed":
        status.resumedFrom = m.step;
        if (recovering) showInfo(t(recovering.key, { detail: recovering.detail, step: m.step }));
        else showInfo(t("run_resumed", { step: m.step, time: new Date(m.savedAt).toLocaleString(document.documentElement.lang) }), $("reset"));
        recovering = null;
        break;
      case "autosaved":
        status.autosavedStep = m.step;
        crashesInARow = 0;
        break;
      case "autosave_unavailable":
        showInfo(t("autosave_unavailable", { detail: m.detail }), $("save-run"));
        break;
      case "diverged":
        status.running = wanted = false;
        status.diverged = { step: m.step, back: m.back };
        showError({ key: "diverged", values: { step: m.step, back: m.back } });
        break;
      case "device_lost":
        status.recoveries += 1;
        replaceWorker({ key: "device_lost", detail: m.detail }, readHash().query);
        break;
      case "crashed":
        onCrash(m.detail);
        break;
      case "error":
        walkAsked = false;
        // The refusal of a control's value is said beside that control, which keeps the text.
        if (!m.fatal && lab.refuse(t(m.key, m.args ?? m.values))) {
          noteInvalid();
          break;
        }
        if (m.stopped) status.running = false;
        if (m.fatal) {
          progressBox.hidden = true;
          if (!status.ready) status.phase = "stopped";
        }
        showError(m);
        break;
    }
    redraw();
  };

  /** Starts a training worker with settings `query`: on the page's backend, or on the CPU once
   * the GPU has been lost too often. It resumes the run saved under those settings, if any. Only
   * the worker on duty is listened to: a replaced one may still have words in flight. */
  const startWorker = (query) => {
    const own = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
    own.onmessage = (e) => { if (own === worker) onMessage(e); };
    // An error no handler in the worker caught, or a worker that could not even load.
    own.onerror = (e) => { if (own === worker) onCrash(e.message || t("worker_failed")); };
    worker = own;
    startedWith = query;
    const backend = status.recoveries >= MAX_GPU_RECOVERIES ? "cpu" : page.backend;
    send({ type: "init", query, backend, fusion: page.fusion });
  };

  /** A new worker, started with settings `query`, takes over from one whose GPU device was lost
   * or whose wasm instance trapped: it resumes from the last save, and a run that was training
   * goes on training. `why` words the news once the new worker has resumed (null: no news). */
  const replaceWorker = (why, query) => {
    worker?.terminate();
    Object.assign(status, { ready: false, phase: "loading_wasm", running: false, resumedFrom: -1 });
    recovering = why;
    clearErrors();
    showInfo("");
    startWorker(query);
  };

  /** The worker crashed (a trap: its wasm instance is unusable). One that crashed while
   * starting may have been given settings this device cannot run, so the next one starts with
   * the defaults; after MAX_CRASHES_IN_A_ROW the page stops and says so instead of looping. */
  const onCrash = (detail) => {
    status.crashes += 1;
    crashesInARow += 1;
    if (crashesInARow >= MAX_CRASHES_IN_A_ROW) {
      worker?.terminate();
      Object.assign(status, { ready: false, phase: "stopped", running: false });
      progressBox.hidden = true;
      clearErrors();
      showError({ key: "worker_crashed_repeatedly", values: { count: crashesInARow, detail } });
    } else if (!status.ready && startedWith) {
      replaceWorker(null, "");
      showError({ key: "link_crashed", values: { detail } });
    } else {
      replaceWorker({ key: "worker_crashed", detail }, status.ready ? readHash().query : startedWith);
    }
    redraw();
  };
  window.webgan.loseGpuDevice = () => send({ type: "lose_device" });
  window.webgan.crashWorker = () => send({ type: "trap" });

  $("train").onclick = () => { clearErrors(); wanted = true; runWorker(lessonEnd()); redraw(); };
  $("pause").onclick = () => { wanted = false; pauseWorker(); redraw(); };
  $("step").onclick = () => { clearErrors(); send({ type: "step" }); };
  $("reset").onclick = () => restart(lab.query());
  $("save-run").onclick = () => send({ type: "save" });

  // Compare runs: keep the curves on screen, then draw later runs beside them; download all.
  // Downloads name a run by its settings; the page by its preset's name where it is one.
  const runName = (query = status.query) => query.replaceAll("&", " ");
  const runLabel = (query) => {
    const preset = presets.list.find((p) => p.query === query); // a run with a preset's settings goes by its name
    return preset ? t(`preset.${preset.id}`) : runName(query);
  };
  const showKept = () => {
    const list = $("kept-runs");
    list.replaceChildren(...chart.kept.map((run, k) => {
      const item = document.createElement("li");
      const dash = document.createElement("span");
      dash.className = "dash";
      dash.textContent = KEPT_DASHES[k].map((n) => "─".repeat(Math.max(1, Math.round(n / 2)))).join(" ");
      item.append(dash, t("kept_run", { name: runLabel(run.query), step: run.lastStep }));
      return item;
    }));
    // The run on screen, in full lines, named once there are others to tell it from.
    const current = $("run-on-screen");
    current.hidden = !chart.kept.length;
    current.textContent = t("run_on_screen", { name: runLabel(status.query) });
    list.title = t("kept_hint");
    $("clear-kept").hidden = !chart.kept.length;
    status.keptRuns = chart.kept.length;
  };
  $("keep-run").onclick = () => { chart.keep({ name: runName(), query: status.query, config: status.config }); showKept(); };
  $("clear-kept").onclick = () => { chart.clearKept(); showKept(); };
  $("download-csv").onclick = () => download("webgan-curves.csv", new Blob([chart.csv(runName())], { type: "text/csv" }));
  $("download-json").onclick = () => {
    const runs = [{ name: runName(), config: status.config }, ...chart.kept.map((r) => ({ name: r.name, config: r.config }))];
    download("webgan-settings.json", new Blob([JSON.stringify({ runs }, null, 2)], { type: "application/json" }));
  };
  $("download-png").onclick = () =>
    enlarged($(status.view === "plane" ? "plane" : "samples"), Number($("png-scale").value))
      .toBlob((blob) => download(`webgan-step-${status.step}.png`, blob));
  $("open-run").onchange = (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    clearErrors();
    send({ type: "open", file }); // the worker reads it, unless it is too large to be a run
  };
  // The address bar always holds the link to the run on screen (settings, seed, language, hidden parts).
  $("copy-link").onclick = () => copyLink(location.href, $("copy-link"), $("controls-feedback"));
  // Space trains or pauses and S steps, unless a control has the focus: then its keys are its
  // own (Space or Enter presses a button, ticks a box, opens a list; letters type).
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || !(e.target instanceof Element)) return;
    if (e.target.closest("input, textarea, select, [contenteditable]")) return;
    if (e.key === " " && !e.target.closest("button, a[href], summary, label, [tabindex]")) {
      e.preventDefault();
      if (!e.repeat) (status.running ? $("pause") : $("train")).click();
    }
    if (e.key.toLowerCase() === "s" && !status.running) $("step").click();
  });

  renderStatus();
  startWorker(readHash().query);
}

main().catch((e) => showError(e.message));
